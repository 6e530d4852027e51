/** Reads the golden files of profiles-core (shared test resources, no copies) from the repository. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fromHex } from "../src/codec/bytes.js";

const RESOURCES = new URL("../../../../profiles-core/src/test/resources/", import.meta.url);

/** The bytes of a golden file: hex text, lines starting with # are comments. */
export function golden(path: string): Uint8Array {
    const text = readFileSync(fileURLToPath(new URL(path, RESOURCES)), "utf8");
    return fromHex(text.split("\n").filter((line) => !line.startsWith("#")).join(""));
}
