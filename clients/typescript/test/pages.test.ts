/**
 * The browser pages in a real headless Chromium (Debian's package, driven by playwright-core) against the real
 * master jar: the demo page shows a player's profile live and renames them.
 */
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { chromium, BrowserContext } from "playwright-core";
import { ProfilesClient } from "../src/client.js";
import { webSocketTransport, WebSocketConstructor } from "../src/transport.js";
import { MasterJar, masterJar, mintToken } from "./e2e/master-jar.js";
import { gameServerSets } from "./e2e/game-server.js";

const CHROMIUM = "/usr/bin/chromium";
const jar = masterJar();
if (!existsSync(CHROMIUM) && process.env.CI === "true") {
    throw new Error(`${CHROMIUM} is missing: .ci/run installs Debian's chromium package`);
}
const skip = jar === null ? "the master jar is not built (mvn -B verify builds it first)"
    : !existsSync(CHROMIUM) ? `no ${CHROMIUM} (apt-get install chromium)` : false;

describe("the demo page in Chromium against the master jar", { skip }, () => {
    let master: MasterJar;
    let browser: BrowserContext;

    before(async () => {
        master = new MasterJar(jar!);
        await master.start();
        // A fresh profile folder each run (playwright passes it as --user-data-dir).
        browser = await chromium.launchPersistentContext(mkdtempSync(join(tmpdir(), "chromium-")), {
            executablePath: CHROMIUM,
            headless: true,
            args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    });

    after(async () => {
        await browser?.close();
        await master?.stop();
    });

    test("a player sees their profile live and renames themselves", async () => {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on("pageerror", (e) => errors.push(e.message));
        await page.goto(`${master.httpBase}/?token=${encodeURIComponent(mintToken("carol"))}`);
        await page.waitForFunction(() => document.getElementById("status")?.textContent === "ready");
        assert.equal(await page.textContent("#user"), "carol");
        assert.equal(await page.textContent("#value-level"), "1");

        await gameServerSets(master, "carol", "gold", 700);
        await page.waitForFunction(() => document.getElementById("value-gold")?.textContent === "700");

        await page.fill("#name", "Carol the Bold");
        await page.click("#save");
        await page.waitForFunction(() => document.getElementById("value-displayName")?.textContent
            === "Carol the Bold");
        // Another holder of the profile, loaded from the master, has the new name.
        await new Promise((resolve) => setTimeout(resolve, 0));
        const check = new ProfilesClient({ transport: webSocketTransport(master.url,
            WebSocket as unknown as WebSocketConstructor), token: mintToken("carol") });
        try {
            const started = Date.now();
            let name = "";
            while (Date.now() - started < 20_000) {
                name = (await check.connect()).getString("displayName");
                if (name === "Carol the Bold") {
                    break;
                }
                await new Promise((resolve) => setTimeout(resolve, 50));
            }
            assert.equal(name, "Carol the Bold");
        } finally {
            check.close();
        }

        await page.fill("#name", "x".repeat(40));
        await page.click("#save");
        await page.waitForFunction(() => (document.getElementById("refusals")?.textContent ?? "")
            .includes("displayName"));
        await page.waitForFunction(() => document.getElementById("value-displayName")?.textContent
            === "Carol the Bold");
        await page.screenshot({ path: join(master.dir, "demo-page.png"), fullPage: true });
        console.log(`screenshot: ${join(master.dir, "demo-page.png")}`);
        assert.deepEqual(errors, []);
        await page.close();
    });
});
