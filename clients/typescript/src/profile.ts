/**
 * A profile in the client: the properties of a schema, their values, the local changes not yet sent, and
 * listeners. Its encodings are byte for byte those of profiles-core's ObservableProfile (docs/wire-format.md):
 * the whole profile (toBytes / fromBytes) and the delta (getUpdates / applyUpdates). Decoding is all or nothing.
 *
 * Threading: JavaScript has one thread; listeners run synchronously inside the call that changed the value.
 */
import { ByteReader, ByteWriter, isWellFormedText, ProfileFormatError } from "./codec/bytes.js";
import { sha256 } from "./codec/sha256.js";
import { ElementKind, KeyKind, PropertyDefinition, typeDescriptor } from "./schema.js";

export const FORMAT_VERSION = 1;

/** A position or direction: three 32-bit floats. */
export interface Vector3 {
    readonly x: number;
    readonly y: number;
    readonly z: number;
}

export type ElementValue = number | bigint | boolean | string;
export type KeyValue = number | string;
/**
 * A property's value: int, float, double → number; long and datetime (milliseconds since the epoch) → bigint;
 * bool → boolean; string → string; vector3 → Vector3; list → readonly array; dict → ReadonlyMap sorted by key.
 */
export type PropertyValue = ElementValue | Vector3 | readonly ElementValue[] | ReadonlyMap<KeyValue, ElementValue>;

/** Called with the new and the previous value of one property. */
export type ValueListener<T = PropertyValue> = (value: T, previous: T) => void;
/** Called with the name, new value and previous value of any property of a profile that changed. */
export type ProfileListener = (name: string, value: PropertyValue, previous: PropertyValue) => void;

type ListOp =
    | { op: 0; index: number; value: ElementValue }
    | { op: 1; value: ElementValue }
    | { op: 2; index: number; value: ElementValue }
    | { op: 3; index: number }
    | { op: 4 }
    | { op: 5; values: ElementValue[] };
type DictOp =
    | { op: 0; key: KeyValue; value: ElementValue }
    | { op: 1; key: KeyValue }
    | { op: 2 }
    | { op: 3; entries: [KeyValue, ElementValue][] };

/** How many operations beyond the collection's size are recorded before they collapse into one replace. */
const COLLAPSE_SLACK = 4;
const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

interface Slot {
    readonly definition: PropertyDefinition;
    readonly index: number;
    value: PropertyValue;
    /** A scalar changed locally and not sent. */
    dirty: boolean;
    /** A collection's operations since the last clearUpdates. */
    ops: (ListOp | DictOp)[];
    /** How many operations were left after the last compaction (0: none since the record was last reset). */
    compactedSize: number;
    /**
     * A number's increments since the last clearUpdates when nothing else was recorded (null otherwise): they travel
     * as "add amount" with the bounds the result must keep (docs/wire-format.md, Increments).
     */
    increment: Increment | null;
    readonly listeners: ValueListener[];
}

type Num = number | bigint;

interface Increment {
    amount: Num;
    lower: Num | null;
    upper: Num | null;
}

/** The update kinds of a delta entry: its header is index * 4 + kind. */
const VALUE_UPDATE = 0;
const INCREMENT_UPDATE = 1;
const BOUNDED_INCREMENT_UPDATE = 2;

function isNumberKind(kind: string): boolean {
    return kind === "int" || kind === "long" || kind === "float" || kind === "double";
}

/** a + b in the property's type, or null when it leaves an int's or long's range (floating point never does). */
function numSum(kind: string, a: Num, b: Num): Num | null {
    switch (kind) {
        case "int": {
            const r = (a as number) + (b as number);
            return r < INT_MIN || r > INT_MAX ? null : r;
        }
        case "long": {
            const r = (a as bigint) + (b as bigint);
            return r < LONG_MIN || r > LONG_MAX ? null : r;
        }
        case "float":
            return Math.fround((a as number) + (b as number)); // exactly Java's float addition
        default:
            return (a as number) + (b as number);
    }
}

function numNegated(kind: string, a: Num): Num | null {
    if (kind === "int") {
        return a === INT_MIN ? null : -(a as number);
    }
    if (kind === "long") {
        return a === LONG_MIN ? null : -(a as bigint);
    }
    return -(a as number);
}

/** Whether value is below bound; for floating point NaN is below (and above) every bound, as in Java. */
function numBelow(kind: string, value: Num, bound: Num): boolean {
    return kind === "int" || kind === "long" ? value < bound : !((value as number) >= (bound as number));
}

function numAbove(kind: string, value: Num, bound: Num): boolean {
    return kind === "int" || kind === "long" ? value > bound : !((value as number) <= (bound as number));
}

function updateKind(slot: Slot): number {
    if (slot.increment === null || !slot.dirty) {
        return VALUE_UPDATE;
    }
    return slot.increment.lower === null && slot.increment.upper === null ? INCREMENT_UPDATE : BOUNDED_INCREMENT_UPDATE;
}

/** Records one more increment on a slot, composing bounds exactly as profiles-core's ObservableNumber does. */
function recordIncrement(slot: Slot, amount: Num, lower: Num | null, upper: Num | null): void {
    const kind = slot.definition.kind;
    if (!slot.dirty) {
        slot.increment = { amount, lower, upper };
        return;
    }
    const inc = slot.increment;
    if (inc === null) {
        return; // a value is recorded: it becomes the new value
    }
    // v+a in [la, ua] and v+a+b in [lb, ub] is exactly v+a+b in [max(la+b, lb), min(ua+b, ub)].
    const total = numSum(kind, inc.amount, amount);
    if (total === null) {
        slot.increment = null;
        return;
    }
    const negative = numBelow(kind, amount, kind === "long" ? 0n : 0);
    let shiftedLower: Num | null = null;
    let shiftedUpper: Num | null = null;
    if (inc.lower !== null) {
        shiftedLower = numSum(kind, inc.lower, amount);
        if (shiftedLower === null && !negative) {
            slot.increment = null;
            return;
        }
    }
    if (inc.upper !== null) {
        shiftedUpper = numSum(kind, inc.upper, amount);
        if (shiftedUpper === null && negative) {
            slot.increment = null;
            return;
        }
    }
    const tighter = (a: Num | null, b: Num | null, low: boolean): Num | null => {
        if (a === null) {
            return b;
        }
        if (b === null) {
            return a;
        }
        return low ? (numBelow(kind, a, b) ? b : a) : (numAbove(kind, a, b) ? b : a);
    };
    slot.increment = { amount: total, lower: tighter(shiftedLower, lower, true), upper: tighter(shiftedUpper, upper,
        false) };
}

// ------------------------------------------------------------------ element codecs

function checkElement(kind: ElementKind, value: unknown, what: string): ElementValue {
    switch (kind) {
        case "int":
            if (typeof value !== "number" || !Number.isInteger(value) || value < INT_MIN || value > INT_MAX) {
                throw new RangeError(`${what} must be a 32-bit integer, not ${String(value)}`);
            }
            return value;
        case "long":
            if (typeof value !== "bigint" || value < LONG_MIN || value > LONG_MAX) {
                throw new RangeError(`${what} must be a 64-bit integer as a bigint, not ${String(value)}`);
            }
            return value;
        case "float":
            if (typeof value !== "number") {
                throw new RangeError(`${what} must be a number, not ${String(value)}`);
            }
            return Math.fround(value);
        case "double":
            if (typeof value !== "number") {
                throw new RangeError(`${what} must be a number, not ${String(value)}`);
            }
            return value;
        case "bool":
            if (typeof value !== "boolean") {
                throw new RangeError(`${what} must be true or false, not ${String(value)}`);
            }
            return value;
        case "string":
            if (typeof value !== "string" || !isWellFormedText(value)) {
                throw new RangeError(`${what} must be a string without unpaired surrogates`);
            }
            return value;
    }
}

function writeElement(kind: ElementKind, value: ElementValue, out: ByteWriter): void {
    switch (kind) {
        case "int": out.writeZigZag32(value as number); break;
        case "long": out.writeZigZag64(value as bigint); break;
        case "float": out.writeFloat32(value as number); break;
        case "double": out.writeFloat64(value as number); break;
        case "bool": out.writeBool(value as boolean); break;
        case "string": out.writeString(value as string); break;
    }
}

function readElement(kind: ElementKind, input: ByteReader, what: string): ElementValue {
    switch (kind) {
        case "int": return input.readZigZag32(what);
        case "long": return input.readZigZag64(what);
        case "float": return input.readFloat32(what);
        case "double": return input.readFloat64(what);
        case "bool": return input.readBool(what);
        case "string": return input.readString(what);
    }
}

/** Java's order of keys: ints numerically, strings by UTF-16 code units. */
function compareKeys(a: KeyValue, b: KeyValue): number {
    return a < b ? -1 : a > b ? 1 : 0;
}

function sortedMap(entries: Iterable<[KeyValue, ElementValue]>): Map<KeyValue, ElementValue> {
    return new Map([...entries].sort((x, y) => compareKeys(x[0], y[0])));
}

function sameValue(a: PropertyValue, b: PropertyValue): boolean {
    if (Object.is(a, b)) {
        return true;
    }
    if (Array.isArray(a) && Array.isArray(b)) {
        return a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
    }
    if (a instanceof Map && b instanceof Map) {
        if (a.size !== b.size) {
            return false;
        }
        for (const [k, v] of a) {
            if (!b.has(k) || !Object.is(b.get(k), v)) {
                return false;
            }
        }
        return true;
    }
    if (typeof a === "object" && typeof b === "object" && a !== null && b !== null && "x" in a && "x" in b) {
        const va = a as Vector3;
        const vb = b as Vector3;
        return Object.is(va.x, vb.x) && Object.is(va.y, vb.y) && Object.is(va.z, vb.z);
    }
    return false;
}

function zeroValue(definition: PropertyDefinition): PropertyValue {
    switch (definition.kind) {
        case "int": case "float": case "double": return 0;
        case "long": case "datetime": return 0n;
        case "bool": return false;
        case "string": return "";
        case "vector3": return Object.freeze({ x: 0, y: 0, z: 0 });
        case "list": return Object.freeze([]);
        case "dict": return new Map();
    }
}

function copyValue(value: PropertyValue): PropertyValue {
    if (Array.isArray(value)) {
        return Object.freeze([...value]);
    }
    if (value instanceof Map) {
        return new Map(value);
    }
    return value;
}

// ------------------------------------------------------------------ the profile

/** The options of {@link Profile.applyUpdates}. */
export interface ApplyOptions {
    /** Record what is applied as local changes (to be sent), as a relay does. Default false: no echo. */
    readonly recordAsLocal?: boolean;
    /** Apply only these property indices; others in the delta are still decoded and checked, then skipped. */
    readonly only?: (index: number) => boolean;
    /**
     * Apply every change that fits, and leave out alone, silently, one that no longer does: a list operation whose
     * index is beyond the list at that point (a view older than this copy's) drops that list's operations of this
     * delta, the rest of the delta still read and applied (profiles-core's Replica KEEP_WHAT_FITS). Default false:
     * such an index is malformed and nothing applies.
     */
    readonly keepWhatFits?: boolean;
    /**
     * Moves list operations made on a writer's older view of a list onto this copy's lists (profiles-core's
     * ListRebaser): asked once per list the delta changes, with its name and its size before the delta, for the
     * rebase of that list's operations (null: they apply at the indices they carry). An operation its rebase drops is
     * left out alone, silently, while the others apply.
     */
    readonly rebase?: (list: string, size: number) => ListRebase | null;
}

/** A list operation's code, as it travels: 0 set, 1 add, 2 insert, 3 remove, 4 clear, 5 replace. */
export type ListOpCode = 0 | 1 | 2 | 3 | 4 | 5;

/** What {@link ListRebase.map} answers for an operation that cannot apply here (it is left out alone). */
export const DROP = -1;

/** The rebase of one list's operations in one delta, asked for each in order (profiles-core's ListRebaser.Rebase). */
export interface ListRebase {
    /**
     * Where the operation applies on this copy's list: the index to set, remove or insert at (anything for add, clear
     * and replace), or {@link DROP}. {@code index}: the writer's (set, insert, remove), -1 for add, clear and replace;
     * {@code count}: the number of elements a replace brings, else 0.
     */
    map(kind: ListOpCode, index: number, count: number): number;
}

/** One operation a list recorded, as its delta carries it: its code, its index (-1 for add, clear, replace), and
 * the number of elements a replace brings (else 0). */
export interface RecordedListOp {
    readonly op: ListOpCode;
    readonly index: number;
    readonly count: number;
    /** The elements it creates (add, insert: one; replace: all), else empty. */
    readonly values: readonly ElementValue[];
}

export class Profile {
    private readonly slots: Slot[];
    private readonly byName = new Map<string, Slot>();
    private readonly profileListeners: ProfileListener[] = [];
    private readonly fingerprintBytes: Uint8Array;
    /** Checks each local change before it is made (the client refuses writes of properties it may not write). */
    writeGuard: ((definition: PropertyDefinition) => void) | null = null;

    constructor(readonly definitions: readonly PropertyDefinition[]) {
        this.slots = definitions.map((definition, index) => ({
            definition, index, value: zeroValue(definition), dirty: false, ops: [], compactedSize: 0, increment: null,
            listeners: [],
        }));
        for (const slot of this.slots) {
            this.byName.set(slot.definition.name, slot);
        }
        this.fingerprintBytes = layoutFingerprint(definitions);
    }

    /** The 8 bytes of the layout fingerprint, as they travel. */
    get fingerprint(): Uint8Array {
        return this.fingerprintBytes.slice();
    }

    /** A copy holding the same values, without listeners or pending changes. */
    copy(): Profile {
        const copy = new Profile(this.definitions);
        copy.slots.forEach((slot, i) => {
            slot.value = copyValue(this.slots[i]!.value);
        });
        return copy;
    }

    names(): string[] {
        return this.slots.map((s) => s.definition.name);
    }

    has(name: string): boolean {
        return this.byName.has(name);
    }

    definition(name: string): PropertyDefinition {
        return this.slot(name).definition;
    }

    private slot(name: string): Slot {
        const slot = this.byName.get(name);
        if (!slot) {
            throw new RangeError(`no property '${name}'; this profile has ${this.names().join(", ")}`);
        }
        return slot;
    }

    private typed(name: string, kinds: readonly string[]): Slot {
        const slot = this.slot(name);
        if (!kinds.includes(slot.definition.kind)) {
            throw new TypeError(`property '${name}' is a ${slot.definition.type}, not a ${kinds.join(" or ")}`);
        }
        return slot;
    }

    /** The value of any property (see {@link PropertyValue} for the JavaScript type of each schema type). */
    get(name: string): PropertyValue {
        return this.slot(name).value;
    }

    getInt(name: string): number { return this.typed(name, ["int"]).value as number; }
    getLong(name: string): bigint { return this.typed(name, ["long"]).value as bigint; }
    getFloat(name: string): number { return this.typed(name, ["float"]).value as number; }
    getDouble(name: string): number { return this.typed(name, ["double"]).value as number; }
    getBool(name: string): boolean { return this.typed(name, ["bool"]).value as boolean; }
    getString(name: string): string { return this.typed(name, ["string"]).value as string; }
    getVector3(name: string): Vector3 { return this.typed(name, ["vector3"]).value as Vector3; }
    /** A datetime as a Date (milliseconds since 1970-01-01T00:00:00Z). */
    getDateTime(name: string): Date {
        return new Date(Number(this.typed(name, ["datetime"]).value as bigint));
    }
    getList<E extends ElementValue = ElementValue>(name: string): readonly E[] {
        return this.typed(name, ["list"]).value as readonly E[];
    }
    getDictionary<K extends KeyValue = KeyValue, V extends ElementValue = ElementValue>(name: string):
        ReadonlyMap<K, V> {
        return this.typed(name, ["dict"]).value as ReadonlyMap<K, V>;
    }

    /** Listens to one property; returns a function that removes the listener. */
    onChange<T extends PropertyValue = PropertyValue>(name: string, listener: ValueListener<T>): () => void {
        const listeners = this.slot(name).listeners;
        listeners.push(listener as ValueListener);
        return () => {
            const at = listeners.indexOf(listener as ValueListener);
            if (at >= 0) {
                listeners.splice(at, 1);
            }
        };
    }

    /** Listens to every property; returns a function that removes the listener. */
    onAnyChange(listener: ProfileListener): () => void {
        this.profileListeners.push(listener);
        return () => {
            const at = this.profileListeners.indexOf(listener);
            if (at >= 0) {
                this.profileListeners.splice(at, 1);
            }
        };
    }

    private fire(slot: Slot, previous: PropertyValue): void {
        for (const listener of [...slot.listeners]) {
            listener(slot.value, previous);
        }
        for (const listener of [...this.profileListeners]) {
            listener(slot.definition.name, slot.value, previous);
        }
    }

    // ---------------------------------------------------------------- local changes

    /**
     * Sets a scalar property (int, long, float, double, bool, string, datetime as a bigint of milliseconds or a
     * Date, vector3) or replaces a whole collection (an array, or a Map / object for a dictionary).
     */
    set(name: string, value: unknown): void {
        const slot = this.slot(name);
        const d = slot.definition;
        this.writeGuard?.(d);
        if (d.kind === "list") {
            this.listReplace(name, value as ElementValue[]);
            return;
        }
        if (d.kind === "dict") {
            const entries = value instanceof Map ? [...value.entries()] : Object.entries(value as object);
            this.dictReplace(name, entries as [KeyValue, ElementValue][]);
            return;
        }
        const next = this.checkScalar(d, value);
        const previous = slot.value;
        if (sameValue(previous, next)) {
            return;
        }
        slot.value = next;
        slot.dirty = true;
        slot.increment = null;
        this.fire(slot, previous);
    }

    /**
     * Adds {@code amount} to an int, long (bigint), float or double property as an operation: the master adds it to
     * its own current value, so concurrent increments from every writer all count. With {@code max}, only when the
     * result stays at most {@code max}; the bound travels with it and the master refuses the increment when its own
     * value plus {@code amount} exceeds it. Returns whether the local copy changed (false: out of the bound or the
     * type's range).
     */
    add(name: string, amount: Num, max?: Num): boolean {
        return this.addWithin(name, amount, null, max ?? null, false);
    }

    /** Subtracts {@code amount} as {@link add} adds; with {@code min}, only when the result stays at least min. */
    subtract(name: string, amount: Num, min?: Num): boolean {
        return this.addWithin(name, amount, min ?? null, null, true);
    }

    /** The increment recorded since the last clearUpdates when only increments were (else null). */
    recordedIncrement(name: string): Num | null {
        const slot = this.slot(name);
        return slot.dirty && slot.increment !== null ? slot.increment.amount : null;
    }

    private addWithin(name: string, amount: Num, lower: Num | null, upper: Num | null, negate: boolean): boolean {
        const slot = this.typed(name, ["int", "long", "float", "double"]);
        const d = slot.definition;
        this.writeGuard?.(d);
        const kind = d.kind as ElementKind;
        let n: Num | null = checkElement(kind, amount, `amount added to '${name}'`) as Num;
        const low = lower === null ? null : checkElement(kind, lower, `bound of '${name}'`) as Num;
        const high = upper === null ? null : checkElement(kind, upper, `bound of '${name}'`) as Num;
        if (negate) {
            n = numNegated(kind, n);
            if (n === null) {
                return false;
            }
        }
        const previous = slot.value as Num;
        const result = numSum(kind, previous, n);
        if (result === null || (low !== null && numBelow(kind, result, low))
            || (high !== null && numAbove(kind, result, high))) {
            return false;
        }
        if (sameValue(previous, result)) {
            return true;
        }
        recordIncrement(slot, n, low, high);
        slot.value = result;
        slot.dirty = true;
        this.fire(slot, previous);
        return true;
    }

    private checkScalar(d: PropertyDefinition, value: unknown): PropertyValue {
        switch (d.kind) {
            case "datetime": {
                const ms = value instanceof Date ? BigInt(Math.floor(value.getTime())) : value;
                return checkElement("long", ms, `datetime '${d.name}'`);
            }
            case "vector3": {
                const v = value as Vector3;
                if (typeof v !== "object" || v === null) {
                    throw new RangeError(`vector3 '${d.name}' needs {x, y, z}`);
                }
                return Object.freeze({ x: quantize(d, v.x), y: quantize(d, v.y), z: quantize(d, v.z) });
            }
            default:
                return checkElement(d.kind as ElementKind, value, `property '${d.name}'`);
        }
    }

    private record(slot: Slot, op: ListOp | DictOp, previous: PropertyValue): void {
        this.recordQuiet(slot, op);
        this.fire(slot, previous);
    }

    private listChange(name: string, change: (list: ElementValue[], element: ElementKind) => ListOp): void {
        const slot = this.typed(name, ["list"]);
        this.writeGuard?.(slot.definition);
        const previous = slot.value as readonly ElementValue[];
        const next = [...previous];
        const op = change(next, slot.definition.element!);
        slot.value = Object.freeze(next);
        this.record(slot, op, previous);
    }

    listAdd(name: string, value: ElementValue): void {
        this.listChange(name, (list, e) => {
            const v = checkElement(e, value, `element of '${name}'`);
            list.push(v);
            return { op: 1, value: v };
        });
    }

    listSet(name: string, index: number, value: ElementValue): void {
        this.listChange(name, (list, e) => {
            checkIndex(index, list.length, name);
            const v = checkElement(e, value, `element of '${name}'`);
            list[index] = v;
            return { op: 0, index, value: v };
        });
    }

    listInsert(name: string, index: number, value: ElementValue): void {
        this.listChange(name, (list, e) => {
            checkIndex(index, list.length + 1, name);
            const v = checkElement(e, value, `element of '${name}'`);
            list.splice(index, 0, v);
            return { op: 2, index, value: v };
        });
    }

    listRemove(name: string, index: number): void {
        this.listChange(name, (list) => {
            checkIndex(index, list.length, name);
            list.splice(index, 1);
            return { op: 3, index };
        });
    }

    listClear(name: string): void {
        this.listChange(name, (list) => {
            list.length = 0;
            return { op: 4 };
        });
    }

    listReplace(name: string, values: readonly ElementValue[]): void {
        this.listChange(name, (list, e) => {
            const checked = values.map((v) => checkElement(e, v, `element of '${name}'`));
            list.splice(0, list.length, ...checked);
            return { op: 5, values: checked };
        });
    }

    private dictChange(name: string,
        change: (map: Map<KeyValue, ElementValue>, key: KeyKind, value: ElementKind) => DictOp): void {
        const slot = this.typed(name, ["dict"]);
        this.writeGuard?.(slot.definition);
        const previous = slot.value as Map<KeyValue, ElementValue>;
        const next = new Map(previous);
        const op = change(next, slot.definition.key!, slot.definition.element!);
        slot.value = sortedMap(next);
        this.record(slot, op, previous);
    }

    dictPut(name: string, key: KeyValue, value: ElementValue): void {
        this.dictChange(name, (map, k, e) => {
            const key2 = checkElement(k, key, `key of '${name}'`) as KeyValue;
            const v = checkElement(e, value, `value of '${name}'`);
            map.set(key2, v);
            return { op: 0, key: key2, value: v };
        });
    }

    dictRemove(name: string, key: KeyValue): void {
        this.dictChange(name, (map, k) => {
            const key2 = checkElement(k, key, `key of '${name}'`) as KeyValue;
            map.delete(key2);
            return { op: 1, key: key2 };
        });
    }

    dictClear(name: string): void {
        this.dictChange(name, (map) => {
            map.clear();
            return { op: 2 };
        });
    }

    dictReplace(name: string, entries: Iterable<[KeyValue, ElementValue]>): void {
        this.dictChange(name, (map, k, e) => {
            const checked: [KeyValue, ElementValue][] = [...entries].map(([key, value]) => [
                checkElement(k, k === "int" && typeof key === "string" ? Number(key) : key, `key of '${name}'`) as
                    KeyValue,
                checkElement(e, value, `value of '${name}'`)]);
            map.clear();
            for (const [key, value] of checked) {
                map.set(key, value);
            }
            return { op: 3, entries: [...sortedMap(checked).entries()] };
        });
    }

    // ---------------------------------------------------------------- encodings

    /** Whether any property changed locally since the last {@link clearUpdates}. */
    hasUpdates(): boolean {
        return this.slots.some(isDirty);
    }

    /** Whether this one property changed locally. */
    isDirty(name: string): boolean {
        return isDirty(this.slot(name));
    }

    /**
     * Whether a list's operation recorded since the last {@link clearUpdates} names an index (set, insert, remove):
     * one whose meaning depends on the list it was made on (profiles-core's ObservableList.recordsIndexedEdits), of
     * any list of this profile.
     */
    recordsIndexedEdits(): boolean {
        return this.slots.some((slot) => slot.definition.kind === "list"
            && (slot.ops as ListOp[]).some((op) => op.op === 0 || op.op === 2 || op.op === 3));
    }

    /**
     * The operations list {@code name} recorded since the last {@link clearUpdates}, in the order its delta carries
     * them (profiles-core's ObservableList.recorded); empty when it recorded none.
     */
    recordedListOps(name: string): RecordedListOp[] {
        const slot = this.typed(name, ["list"]);
        return (slot.ops as ListOp[]).map((op) => ({
            op: op.op,
            index: op.op === 0 || op.op === 2 || op.op === 3 ? op.index : -1,
            count: op.op === 5 ? op.values.length : 0,
            values: op.op === 1 || op.op === 2 ? [op.value] : op.op === 5 ? op.values : [],
        }));
    }

    /** The delta of the local changes (of the properties {@code include} accepts, by default all). */
    getUpdates(include: (definition: PropertyDefinition) => boolean = () => true): Uint8Array {
        const changed = this.slots.filter((s) => isDirty(s) && include(s.definition));
        const out = new ByteWriter();
        out.writeVarUint(changed.length);
        for (const slot of changed) {
            const kind = updateKind(slot);
            out.writeVarUint(slot.index * 4 + kind);
            if (kind !== VALUE_UPDATE) {
                const inc = slot.increment!;
                writeScalar(slot.definition, inc.amount, out);
                if (kind === BOUNDED_INCREMENT_UPDATE) {
                    out.writeByte((inc.lower !== null ? 1 : 0) | (inc.upper !== null ? 2 : 0));
                    if (inc.lower !== null) {
                        writeScalar(slot.definition, inc.lower, out);
                    }
                    if (inc.upper !== null) {
                        writeScalar(slot.definition, inc.upper, out);
                    }
                }
            } else if (slot.definition.kind === "list" || slot.definition.kind === "dict") {
                out.writeVarUint(slot.ops.length);
                for (const op of slot.ops) {
                    writeOp(slot.definition, op, out);
                }
            } else {
                writeScalar(slot.definition, slot.value, out);
            }
        }
        return out.toBytes();
    }

    /** Forgets the local changes (after they were taken to be sent). */
    clearUpdates(include: (definition: PropertyDefinition) => boolean = () => true): void {
        for (const slot of this.slots) {
            if (include(slot.definition)) {
                slot.dirty = false;
                slot.ops = [];
                slot.increment = null;
            }
        }
    }

    /** The whole profile: format version, fingerprint, every value. */
    toBytes(): Uint8Array {
        const out = new ByteWriter();
        out.writeByte(FORMAT_VERSION);
        out.writeBytes(this.fingerprintBytes);
        for (const slot of this.slots) {
            writeValue(slot.definition, slot.value, out);
        }
        return out.toBytes();
    }

    /**
     * Loads a whole profile (all or nothing): the properties whose value differs fire their listeners, and the
     * loaded properties' unsent local changes are dropped (loading is not a change).
     *
     * @throws ProfileFormatError when the bytes are malformed or of another layout; then nothing changed
     */
    fromBytes(bytes: Uint8Array): void {
        const input = new ByteReader(bytes);
        const version = input.readByte("format version");
        if (version !== FORMAT_VERSION) {
            input.fail(`format version ${version} is not ${FORMAT_VERSION}`, 0);
        }
        const fingerprint = input.readBytes(8, "layout fingerprint");
        if (!fingerprint.every((b, i) => b === this.fingerprintBytes[i])) {
            input.fail("the layout fingerprint differs from this profile's: the bytes were written for another "
                + "schema (other names, types, steps or order)", 1);
        }
        const values = this.slots.map((slot) => readValue(slot.definition, input));
        if (input.remaining() !== 0) {
            input.fail(`${input.remaining()} bytes remain after the last property`);
        }
        this.slots.forEach((slot, i) => this.load(slot, values[i]!));
    }

    /** Replaces the values of every property {@code include} accepts with those of {@code source}. */
    loadFrom(source: Profile, include: (definition: PropertyDefinition) => boolean = () => true): void {
        this.slots.forEach((slot, i) => {
            if (include(slot.definition)) {
                this.load(slot, copyValue(source.slots[i]!.value));
            }
        });
    }

    private load(slot: Slot, value: PropertyValue): void {
        slot.dirty = false;
        slot.ops = [];
        slot.increment = null;
        const previous = slot.value;
        if (!sameValue(previous, value)) {
            slot.value = value;
            this.fire(slot, previous);
        }
    }

    /**
     * Applies a delta (all or nothing: decoded and checked whole first).
     *
     * @throws ProfileFormatError when it is malformed; then nothing changed
     */
    applyUpdates(delta: Uint8Array, options: ApplyOptions = {}): void {
        const input = new ByteReader(delta);
        const count = input.readCount("count of changed properties");
        if (count > input.remaining() / 2) {
            input.fail(`count ${count} of changed properties cannot fit the ${input.remaining()} bytes that remain`, 0);
        }
        const decoded: { slot: Slot; value: PropertyValue | null; ops: (ListOp | DictOp)[]; inc: Increment | null }[]
            = [];
        let last = -1;
        for (let n = 0; n < count; n++) {
            const at = input.position;
            const header = input.readCount("property index and update kind");
            const index = Math.floor(header / 4);
            const kind = header % 4;
            if (index >= this.slots.length) {
                input.fail(`property index ${index} is unknown; this profile has ${this.slots.length} properties `
                    + `(0..${this.slots.length - 1})`, at);
            }
            if (index <= last) {
                input.fail(`property index ${index} is not above the previous one (${last}); indices must be `
                    + "strictly ascending", at);
            }
            last = index;
            const slot = this.slots[index]!;
            const d = slot.definition;
            if (kind !== VALUE_UPDATE) {
                if (!isNumberKind(d.kind) || kind === 3) {
                    input.fail(`update kind ${kind} is not defined for property '${d.name}' (${d.type}); only int, `
                        + "long, float and double properties take increments (kinds 1 and 2)", at);
                }
                const amount = readScalar(d, input) as Num;
                let lower: Num | null = null;
                let upper: Num | null = null;
                if (kind === BOUNDED_INCREMENT_UPDATE) {
                    const boundsAt = input.position;
                    const bounds = input.readByte(`bounds of the increment of '${d.name}'`);
                    if (bounds === 0 || bounds > 3) {
                        input.fail(`bounds byte ${bounds} of the increment of '${d.name}' must be 1 (lower), 2 `
                            + "(upper) or 3 (both)", boundsAt);
                    }
                    lower = (bounds & 1) !== 0 ? readScalar(d, input) as Num : null;
                    upper = (bounds & 2) !== 0 ? readScalar(d, input) as Num : null;
                }
                // Applied to this copy's own value; one beyond the type or its writer's bounds is left out (the
                // master refuses it too, and tells its writer).
                const result = numSum(d.kind, slot.value as Num, amount);
                const fits = result !== null && (lower === null || !numBelow(d.kind, result, lower))
                    && (upper === null || !numAbove(d.kind, result, upper));
                decoded.push({ slot, value: fits ? result : null, ops: [], inc: { amount, lower, upper } });
            } else if (d.kind === "list" || d.kind === "dict") {
                const ops: (ListOp | DictOp)[] = [];
                const rebase = d.kind === "list" && options.rebase
                    ? options.rebase(d.name, (slot.value as readonly ElementValue[]).length) : null;
                const value = applyOps(d, slot.value, input, ops, options.keepWhatFits === true, rebase);
                decoded.push({ slot, value, ops, inc: null });
            } else {
                decoded.push({ slot, value: readValue(d, input), ops: [], inc: null });
            }
        }
        if (input.remaining() !== 0) {
            input.fail(`${input.remaining()} bytes remain after the last change`);
        }
        for (const { slot, value, ops, inc } of decoded) {
            if (options.only && !options.only(slot.index)) {
                continue;
            }
            if (value === null) {
                continue; // an increment, or a list's operations (keepWhatFits), that cannot apply here
            }
            const previous = slot.value;
            const collection = slot.definition.kind === "list" || slot.definition.kind === "dict";
            if (options.recordAsLocal) {
                if (collection) {
                    slot.value = value;
                    for (const op of ops) {
                        this.recordQuiet(slot, op);
                    }
                } else if (inc !== null) {
                    if (!sameValue(previous, value)) {
                        recordIncrement(slot, inc.amount, inc.lower, inc.upper);
                        slot.value = value;
                        slot.dirty = true;
                    }
                } else {
                    slot.value = value;
                    slot.dirty = true;
                    slot.increment = null;
                }
            } else {
                slot.value = value;
            }
            if (!sameValue(previous, slot.value)) {
                this.fire(slot, previous);
            }
        }
    }

    private recordQuiet(slot: Slot, op: ListOp | DictOp): void {
        const resets = slot.definition.kind === "list" ? op.op >= 4 : op.op >= 2;
        if (resets || slot.ops.length === 0) {
            slot.ops = [];
            slot.compactedSize = 0;
        }
        slot.ops.push(op);
        const size = Array.isArray(slot.value) ? slot.value.length : (slot.value as Map<unknown, unknown>).size;
        // As profiles-core's ObservableCollection: a dictionary keeps the last operation of each key (a burst of puts
        // never becomes a replace that erases another writer's keys), a list collapses into one replace; compacted
        // again only once the record doubled, so a burst stays linear.
        if (slot.ops.length > Math.max(size + COLLAPSE_SLACK, 2 * slot.compactedSize)) {
            if (slot.definition.kind === "list") {
                const list = slot.value as ElementValue[];
                const compacted = compactListOps(slot.ops as ListOp[], list.length);
                slot.ops = compacted.length > 4 * list.length + 64 ? [{ op: 5, values: [...list] }] : compacted;
            } else {
                slot.ops = compactDictOps(slot.ops as DictOp[]);
            }
            slot.compactedSize = slot.ops.length;
        }
    }

    /** The profile as a plain object (longs and datetimes as decimal strings), for display and tests. */
    toJSON(): Record<string, unknown> {
        const out: Record<string, unknown> = {};
        for (const slot of this.slots) {
            out[slot.definition.name] = plain(slot.value);
        }
        return out;
    }
}

/**
 * As profiles-core's ObservableList.compacted: among consecutive sets a later set of an index replaces an earlier one,
 * a set followed by the removal of its element goes, an add or insert removed at once cancels. {@code length} is the
 * list's length after every op.
 */
function compactListOps(ops: ListOp[], length: number): ListOp[] {
    // The length before the first op, to know where each add landed.
    let before = length;
    for (const op of ops) {
        if (op.op === 1 || op.op === 2) {
            before--;
        } else if (op.op === 3) {
            before++;
        }
    }
    const out: { op: ListOp; at: number }[] = [];
    let size = before;
    for (const op of ops) {
        let at = -1;
        if (op.op === 0 || op.op === 2 || op.op === 3) {
            at = op.index;
        } else if (op.op === 1) {
            at = size;
        }
        if (op.op === 0 || op.op === 3) {
            for (let i = out.length - 1; i >= 0 && out[i]!.op.op === 0; i--) {
                if (out[i]!.at === at) {
                    out.splice(i, 1);
                    break;
                }
            }
        }
        size = op.op === 1 || op.op === 2 ? size + 1 : op.op === 3 ? size - 1 : op.op === 4 ? 0
            : op.op === 5 ? op.values.length : size;
        const last = out[out.length - 1];
        if (op.op === 3 && last !== undefined && (last.op.op === 1 || last.op.op === 2) && last.at === at) {
            out.pop();
            continue;
        }
        out.push({ op, at });
    }
    return out.map((one) => one.op);
}

/** The last operation of each key, after the clear or replace that began the record if there is one. */
function compactDictOps(ops: DictOp[]): DictOp[] {
    let reset: DictOp[] = [];
    const lastOfKey = new Map<KeyValue, DictOp>();
    for (const op of ops) {
        if (op.op === 0 || op.op === 1) {
            lastOfKey.delete(op.key);
            lastOfKey.set(op.key, op);
        } else {
            reset = [op];
            lastOfKey.clear();
        }
    }
    return [...reset, ...lastOfKey.values()];
}

function plain(value: PropertyValue): unknown {
    if (typeof value === "bigint") {
        return value.toString();
    }
    if (Array.isArray(value)) {
        return value.map((v) => plain(v));
    }
    if (value instanceof Map) {
        return Object.fromEntries([...value.entries()].map(([k, v]) => [String(k), plain(v)]));
    }
    return value;
}

function isDirty(slot: Slot): boolean {
    return slot.dirty || slot.ops.length > 0;
}

function checkIndex(index: number, bound: number, name: string): void {
    if (!Number.isInteger(index) || index < 0 || index >= bound) {
        throw new RangeError(`index ${index} of '${name}' is out of range 0..${bound - 1}`);
    }
}

function quantize(d: PropertyDefinition, component: unknown): number {
    if (typeof component !== "number") {
        throw new RangeError(`a component of '${d.name}' must be a number, not ${String(component)}`);
    }
    const f = Math.fround(component);
    if (d.step === 0) {
        return f;
    }
    // Java: Math.round((double) component / step), then (float) (steps * (double) step).
    const steps = Math.floor(f / d.step + 0.5);
    if (!Number.isFinite(f) || steps > 32767 || steps < -32767) {
        throw new RangeError(`component ${component} of '${d.name}' is outside ±32767 steps of ${d.step}`);
    }
    return Math.fround(steps * d.step);
}

/** SHA-256 over "name\0descriptor\n" of each property; the first 8 bytes. */
export function layoutFingerprint(definitions: readonly PropertyDefinition[]): Uint8Array {
    const text = definitions.map((d) => `${d.name}\0${typeDescriptor(d)}\n`).join("");
    return sha256(new TextEncoder().encode(text)).slice(0, 8);
}

function writeScalar(d: PropertyDefinition, value: PropertyValue, out: ByteWriter): void {
    switch (d.kind) {
        case "datetime":
            out.writeZigZag64(value as bigint);
            return;
        case "vector3": {
            const v = value as Vector3;
            if (d.step === 0) {
                out.writeFloat32(v.x);
                out.writeFloat32(v.y);
                out.writeFloat32(v.z);
            } else {
                out.writeInt16(Math.floor(v.x / d.step + 0.5));
                out.writeInt16(Math.floor(v.y / d.step + 0.5));
                out.writeInt16(Math.floor(v.z / d.step + 0.5));
            }
            return;
        }
        default:
            writeElement(d.kind as ElementKind, value as ElementValue, out);
    }
}

function writeValue(d: PropertyDefinition, value: PropertyValue, out: ByteWriter): void {
    if (d.kind === "list") {
        const list = value as readonly ElementValue[];
        out.writeVarUint(list.length);
        for (const e of list) {
            writeElement(d.element!, e, out);
        }
    } else if (d.kind === "dict") {
        const map = value as ReadonlyMap<KeyValue, ElementValue>;
        out.writeVarUint(map.size);
        for (const [k, v] of sortedMap(map.entries())) {
            writeElement(d.key!, k, out);
            writeElement(d.element!, v, out);
        }
    } else {
        writeScalar(d, value, out);
    }
}

function writeOp(d: PropertyDefinition, op: ListOp | DictOp, out: ByteWriter): void {
    out.writeVarUint(op.op);
    if (d.kind === "list") {
        const o = op as ListOp;
        switch (o.op) {
            case 0: case 2: out.writeVarUint(o.index); writeElement(d.element!, o.value, out); break;
            case 1: writeElement(d.element!, o.value, out); break;
            case 3: out.writeVarUint(o.index); break;
            case 4: break;
            case 5:
                out.writeVarUint(o.values.length);
                o.values.forEach((v) => writeElement(d.element!, v, out));
                break;
        }
    } else {
        const o = op as DictOp;
        switch (o.op) {
            case 0: writeElement(d.key!, o.key, out); writeElement(d.element!, o.value, out); break;
            case 1: writeElement(d.key!, o.key, out); break;
            case 2: break;
            case 3:
                out.writeVarUint(o.entries.length);
                for (const [k, v] of o.entries) {
                    writeElement(d.key!, k, out);
                    writeElement(d.element!, v, out);
                }
                break;
        }
    }
}

function readScalar(d: PropertyDefinition, input: ByteReader): PropertyValue {
    const what = `value of '${d.name}'`;
    switch (d.kind) {
        case "datetime":
            return input.readZigZag64(what);
        case "vector3": {
            const c = `vector3 component of '${d.name}'`;
            if (d.step === 0) {
                return Object.freeze({ x: input.readFloat32(c), y: input.readFloat32(c), z: input.readFloat32(c) });
            }
            const at = input.position;
            const counts = [input.readInt16(c), input.readInt16(c), input.readInt16(c)];
            if (counts.includes(-32768)) {
                input.fail(`${c} is -32768 steps; quantized components are within ±32767`, at);
            }
            const [x, y, z] = counts.map((n) => Math.fround(n * d.step)) as [number, number, number];
            return Object.freeze({ x, y, z });
        }
        default:
            return readElement(d.kind as ElementKind, input, what);
    }
}

function minBytes(kind: ElementKind): number {
    return kind === "float" ? 4 : kind === "double" ? 8 : 1;
}

function readCountFitting(input: ByteReader, what: string, bytesEach: number): number {
    const at = input.position;
    const count = input.readCount(what);
    if (count * bytesEach > input.remaining()) {
        input.fail(`${what} ${count} cannot fit the ${input.remaining()} bytes that remain`, at);
    }
    return count;
}

function readDictEntries(d: PropertyDefinition, input: ByteReader, what: string): [KeyValue, ElementValue][] {
    const count = readCountFitting(input, what, minBytes(d.key!) + minBytes(d.element!));
    const entries: [KeyValue, ElementValue][] = [];
    for (let n = 0; n < count; n++) {
        const at = input.position;
        const key = readElement(d.key!, input, `key of '${d.name}'`) as KeyValue;
        if (entries.length > 0 && compareKeys(key, entries[entries.length - 1]![0]) <= 0) {
            input.fail(`key ${JSON.stringify(key)} of '${d.name}' is not above the previous one; keys must be `
                + "strictly ascending", at);
        }
        entries.push([key, readElement(d.element!, input, `value of '${d.name}'`)]);
    }
    return entries;
}

function readValue(d: PropertyDefinition, input: ByteReader): PropertyValue {
    if (d.kind === "list") {
        const count = readCountFitting(input, `element count of '${d.name}'`, minBytes(d.element!));
        const list: ElementValue[] = [];
        for (let n = 0; n < count; n++) {
            list.push(readElement(d.element!, input, `element of '${d.name}'`));
        }
        return Object.freeze(list);
    }
    if (d.kind === "dict") {
        return new Map(readDictEntries(d, input, `entry count of '${d.name}'`));
    }
    return readScalar(d, input);
}

/**
 * Decodes the operations of a collection update and applies them to a copy of {@code value}. With
 * {@code keepWhatFits}, a list index beyond the list is not malformed: every operation is still read, and null says
 * the list's operations cannot apply here (left out alone). With a {@code rebase}, each list operation applies where
 * it says (checked there), and one it drops is left out alone while the others apply.
 */
function applyOps(d: PropertyDefinition, value: PropertyValue, input: ByteReader, ops: (ListOp | DictOp)[],
    keepWhatFits = false, rebase: ListRebase | null = null): PropertyValue | null {
    const count = readCountFitting(input, `operation count of '${d.name}'`, 1);
    if (d.kind === "list") {
        const list = [...(value as readonly ElementValue[])];
        const e = d.element!;
        const what = `element of '${d.name}'`;
        let stale = false;
        for (let n = 0; n < count; n++) {
            const at = input.position;
            const code = input.readCount(`operation of '${d.name}'`);
            // The index, checked against the list at this point: -1 when it is beyond the list and keepWhatFits
            // leaves the list's operations out.
            const checked = (i: number, bound: number): number => {
                if (i >= bound) {
                    if (keepWhatFits) {
                        stale = true;
                        return -1;
                    }
                    input.fail(`list index ${i} of '${d.name}' is out of range; the list allows 0..${bound - 1} at `
                        + "this point", at);
                }
                return i;
            };
            // Without a rebase, the index as it came, checked at once.
            const index = (bound: number): number => checked(input.readCount(`list index of '${d.name}'`), bound);
            if (rebase !== null) {
                // As profiles-core's ObservableList.readAndApply: the whole operation is read, then its rebase says
                // where it applies (or drops it alone), then that index is checked.
                const raw = code === 0 || code === 2 || code === 3 ? input.readCount(`list index of '${d.name}'`) : -1;
                switch (code) {
                    case 0: case 2: {
                        const v = readElement(e, input, what);
                        const mapped = rebase.map(code, raw, 0);
                        if (mapped === DROP) {
                            break;
                        }
                        const i = checked(mapped, code === 0 ? list.length : list.length + 1);
                        if (i >= 0) {
                            if (code === 0) {
                                list[i] = v;
                                ops.push({ op: 0, index: i, value: v });
                            } else {
                                list.splice(i, 0, v);
                                ops.push({ op: 2, index: i, value: v });
                            }
                        }
                        break;
                    }
                    case 1: {
                        const v = readElement(e, input, what);
                        if (rebase.map(1, -1, 0) !== DROP) {
                            list.push(v);
                            ops.push({ op: 1, value: v });
                        }
                        break;
                    }
                    case 3: {
                        const mapped = rebase.map(3, raw, 0);
                        if (mapped === DROP) {
                            break;
                        }
                        const i = checked(mapped, list.length);
                        if (i >= 0) {
                            list.splice(i, 1);
                            ops.push({ op: 3, index: i });
                        }
                        break;
                    }
                    case 4:
                        if (rebase.map(4, -1, 0) !== DROP) {
                            list.length = 0;
                            ops.push({ op: 4 });
                        }
                        break;
                    case 5: {
                        const values = readValue(d, input) as ElementValue[];
                        if (rebase.map(5, -1, values.length) !== DROP) {
                            list.splice(0, list.length, ...values);
                            ops.push({ op: 5, values: [...values] });
                        }
                        break;
                    }
                    default:
                        input.fail(`expected a list operation of '${d.name}' (0 set, 1 add, 2 insert, 3 remove, 4 `
                            + `clear, 5 replace) but found ${code}`, at);
                }
                continue;
            }
            switch (code) {
                case 0: { const i = index(list.length); const v = readElement(e, input, what);
                    if (i >= 0) { list[i] = v; ops.push({ op: 0, index: i, value: v }); } break; }
                case 1: { const v = readElement(e, input, what); list.push(v); ops.push({ op: 1, value: v }); break; }
                case 2: { const i = index(list.length + 1); const v = readElement(e, input, what);
                    if (i >= 0) { list.splice(i, 0, v); ops.push({ op: 2, index: i, value: v }); } break; }
                case 3: { const i = index(list.length);
                    if (i >= 0) { list.splice(i, 1); ops.push({ op: 3, index: i }); } break; }
                case 4: list.length = 0; ops.push({ op: 4 }); break;
                case 5: {
                    const values = readValue(d, input) as ElementValue[];
                    list.splice(0, list.length, ...values);
                    ops.push({ op: 5, values: [...values] });
                    break;
                }
                default:
                    input.fail(`expected a list operation of '${d.name}' (0 set, 1 add, 2 insert, 3 remove, 4 clear, `
                        + `5 replace) but found ${code}`, at);
            }
        }
        return stale ? null : Object.freeze(list);
    }
    const map = new Map(value as ReadonlyMap<KeyValue, ElementValue>);
    for (let n = 0; n < count; n++) {
        const at = input.position;
        const code = input.readCount(`operation of '${d.name}'`);
        switch (code) {
            case 0: {
                const key = readElement(d.key!, input, `key of '${d.name}'`) as KeyValue;
                const v = readElement(d.element!, input, `value of '${d.name}'`);
                map.set(key, v);
                ops.push({ op: 0, key, value: v });
                break;
            }
            case 1: {
                const key = readElement(d.key!, input, `key of '${d.name}'`) as KeyValue;
                map.delete(key);
                ops.push({ op: 1, key });
                break;
            }
            case 2: map.clear(); ops.push({ op: 2 }); break;
            case 3: {
                const entries = readDictEntries(d, input, `entry count of '${d.name}'`);
                map.clear();
                entries.forEach(([k, v]) => map.set(k, v));
                ops.push({ op: 3, entries });
                break;
            }
            default:
                input.fail(`expected a dictionary operation of '${d.name}' (0 put, 1 remove, 2 clear, 3 replace) but `
                    + `found ${code}`, at);
        }
    }
    return sortedMap(map.entries());
}

export { ProfileFormatError };
