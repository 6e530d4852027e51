/**
 * The schema the master sends in Welcome (docs/schema.md): a JSON object whose "properties" list names each
 * property, its type and its rules. A client gets its view: hidden properties are left out by the master.
 */

/** Types of list elements, dictionary values and keys. */
export type ElementKind = "int" | "long" | "float" | "double" | "bool" | "string";
export type KeyKind = "int" | "string";
export type PropertyKind = ElementKind | "datetime" | "vector3" | "list" | "dict";

/** One property of a schema, as the client needs it. Immutable. */
export interface PropertyDefinition {
    readonly name: string;
    /** The type as schema files spell it, such as {@code int} or {@code dict<string,int>}. */
    readonly type: string;
    readonly kind: PropertyKind;
    /** The element type of a list, the value type of a dictionary. */
    readonly element?: ElementKind;
    /** The key type of a dictionary. */
    readonly key?: KeyKind;
    /** The quantization step of a vector3 (a 32-bit float), 0 when unquantized. */
    readonly step: number;
    readonly clientWritable: boolean;
    readonly min?: number;
    readonly max?: number;
    readonly maxLength?: number;
    readonly maxSize?: number;
}

/** A schema the client cannot read. */
export class SchemaError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "SchemaError";
    }
}

const ELEMENTS: readonly string[] = ["int", "long", "float", "double", "bool", "string"];
const SCALARS: readonly string[] = [...ELEMENTS, "datetime", "vector3"];

/** Parses a type name such as {@code list<int>} (spaces ignored) into its parts. */
export function parseType(text: string): Pick<PropertyDefinition, "type" | "kind" | "element" | "key"> {
    const compact = text.replace(/ /g, "");
    if (SCALARS.includes(compact)) {
        return { type: compact, kind: compact as PropertyKind };
    }
    const list = /^list<([a-z]+)>$/.exec(compact);
    if (list && ELEMENTS.includes(list[1]!)) {
        return { type: compact, kind: "list", element: list[1] as ElementKind };
    }
    const dict = /^dict<([a-z]+),([a-z]+)>$/.exec(compact);
    if (dict && (dict[1] === "int" || dict[1] === "string") && ELEMENTS.includes(dict[2]!)) {
        return { type: compact, kind: "dict", key: dict[1] as KeyKind, element: dict[2] as ElementKind };
    }
    throw new SchemaError(`unknown type '${text}'; valid types are int, long, float, double, bool, string, `
        + "datetime, vector3, list<E>, dict<K,V>");
}

/** Reads the schema JSON of a Welcome. */
export function parseSchema(json: string): PropertyDefinition[] {
    let root: unknown;
    try {
        root = JSON.parse(json);
    } catch (e) {
        throw new SchemaError(`the schema is not JSON: ${(e as Error).message}`);
    }
    const properties = (root as { properties?: unknown } | null)?.properties;
    if (!Array.isArray(properties)) {
        throw new SchemaError("a schema must be an object with a 'properties' list");
    }
    const names = new Set<string>();
    return properties.map((entry: Record<string, unknown>, i: number) => {
        if (typeof entry !== "object" || entry === null || typeof entry.name !== "string"
            || typeof entry.type !== "string") {
            throw new SchemaError(`property ${i} needs a string name and type, not ${JSON.stringify(entry)}`);
        }
        if (names.has(entry.name)) {
            throw new SchemaError(`property '${entry.name}' appears twice`);
        }
        names.add(entry.name);
        const parsed = parseType(entry.type);
        const step = typeof entry.step === "number" ? Math.fround(entry.step) : 0;
        const definition: PropertyDefinition = {
            name: entry.name,
            ...parsed,
            step: parsed.kind === "vector3" ? step : 0,
            clientWritable: entry.clientWritable === true,
            ...(typeof entry.min === "number" ? { min: entry.min } : {}),
            ...(typeof entry.max === "number" ? { max: entry.max } : {}),
            ...(typeof entry.maxLength === "number" ? { maxLength: entry.maxLength } : {}),
            ...(typeof entry.maxSize === "number" ? { maxSize: entry.maxSize } : {}),
        };
        return definition;
    });
}

/**
 * The type descriptor that goes into the layout fingerprint (docs/wire-format.md): the type name, and for a quantized
 * vector {@code vector3/<step>} with the step written as Java's {@code Float.toString} writes it.
 */
export function typeDescriptor(definition: PropertyDefinition): string {
    if (definition.kind === "vector3" && definition.step !== 0) {
        return "vector3/" + javaFloatToString(definition.step);
    }
    return definition.type;
}

/**
 * Java's {@code Float.toString}: the shortest decimal that reads back as the same float, written plainly for
 * magnitudes in [1e-3, 1e7) with at least one digit after the point ("0.01", "2.0"), else as "1.0E-4".
 */
export function javaFloatToString(value: number): string {
    const f = Math.fround(value);
    if (Number.isNaN(f)) {
        return "NaN";
    }
    if (!Number.isFinite(f)) {
        return f > 0 ? "Infinity" : "-Infinity";
    }
    if (f === 0) {
        return Object.is(f, -0) ? "-0.0" : "0.0";
    }
    let digits = "";
    for (let precision = 1; precision <= 9; precision++) {
        const candidate = f.toExponential(precision - 1);
        if (Math.fround(Number(candidate)) === f) {
            digits = candidate;
            break;
        }
    }
    const [mantissa, exponentText] = digits.split("e") as [string, string];
    const negative = mantissa.startsWith("-");
    const significant = mantissa.replace("-", "").replace(".", "");
    const exponent = Number(exponentText);
    const magnitude = Math.abs(f);
    let text: string;
    if (magnitude >= 1e-3 && magnitude < 1e7) {
        if (exponent >= 0) {
            const whole = significant.slice(0, exponent + 1).padEnd(exponent + 1, "0");
            const fraction = significant.slice(exponent + 1) || "0";
            text = `${whole}.${fraction}`;
        } else {
            text = `0.${"0".repeat(-exponent - 1)}${significant}`;
        }
    } else {
        const fraction = significant.slice(1) || "0";
        text = `${significant[0]}.${fraction}E${exponent}`;
    }
    return negative ? "-" + text : text;
}
