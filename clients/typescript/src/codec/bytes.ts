/**
 * The primitives of the profile format (docs/wire-format.md, "Primitives"), byte for byte as profiles-core's
 * ByteWriter and ByteReader: unsigned LEB128 varints of up to 10 bytes, zigzag 32/64, little-endian floats with a
 * canonical NaN, little-endian i16, strict bools and strict UTF-8 strings.
 */

/** Malformed profile bytes: the offset and what was expected, as profiles-core's ProfileFormatException says. */
export class ProfileFormatError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProfileFormatError";
    }
}

const UTF8_STRICT = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const UTF8 = new TextEncoder();
const TWO_POW_32 = 0x1_0000_0000;
const MASK_64 = (1n << 64n) - 1n;

/** Whether {@code text} has no unpaired surrogate (UTF-8 cannot carry one). */
export function isWellFormedText(text: string): boolean {
    const s = text as string & { isWellFormed?: () => boolean };
    if (typeof s.isWellFormed === "function") {
        return s.isWellFormed();
    }
    return !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text);
}

/** Growing byte buffer. */
export class ByteWriter {
    private buffer: Uint8Array;
    private view: DataView;
    private length = 0;

    constructor(capacity = 64) {
        this.buffer = new Uint8Array(capacity);
        this.view = new DataView(this.buffer.buffer);
    }

    private ensure(extra: number): void {
        if (this.length + extra <= this.buffer.length) {
            return;
        }
        let capacity = this.buffer.length * 2;
        while (capacity < this.length + extra) {
            capacity *= 2;
        }
        const next = new Uint8Array(capacity);
        next.set(this.buffer.subarray(0, this.length));
        this.buffer = next;
        this.view = new DataView(next.buffer);
    }

    get size(): number {
        return this.length;
    }

    toBytes(): Uint8Array {
        return this.buffer.slice(0, this.length);
    }

    writeByte(value: number): void {
        this.ensure(1);
        this.buffer[this.length++] = value & 0xff;
    }

    writeBytes(bytes: Uint8Array): void {
        this.ensure(bytes.length);
        this.buffer.set(bytes, this.length);
        this.length += bytes.length;
    }

    /** Unsigned LEB128 of a non-negative safe integer. */
    writeVarUint(value: number): void {
        if (!Number.isSafeInteger(value) || value < 0) {
            throw new RangeError(`varint needs a non-negative safe integer, not ${value}`);
        }
        while (value >= 0x80) {
            this.writeByte((value % 0x80) | 0x80);
            value = Math.floor(value / 0x80);
        }
        this.writeByte(value);
    }

    /** Unsigned LEB128 of a 64-bit unsigned value. */
    writeVarUint64(value: bigint): void {
        let v = value & MASK_64;
        while (v >= 0x80n) {
            this.writeByte(Number(v & 0x7fn) | 0x80);
            v >>= 7n;
        }
        this.writeByte(Number(v));
    }

    writeZigZag32(value: number): void {
        const n = value | 0;
        this.writeVarUint(((n << 1) ^ (n >> 31)) >>> 0);
    }

    writeZigZag64(value: bigint): void {
        const n = BigInt.asIntN(64, value);
        this.writeVarUint64(BigInt.asUintN(64, (n << 1n) ^ (n >> 63n)));
    }

    writeFloat32(value: number): void {
        this.ensure(4);
        if (Number.isNaN(value)) {
            this.view.setUint32(this.length, 0x7fc00000, true);
        } else {
            this.view.setFloat32(this.length, value, true);
        }
        this.length += 4;
    }

    writeFloat64(value: number): void {
        this.ensure(8);
        if (Number.isNaN(value)) {
            this.view.setUint32(this.length, 0, true);
            this.view.setUint32(this.length + 4, 0x7ff80000, true);
        } else {
            this.view.setFloat64(this.length, value, true);
        }
        this.length += 8;
    }

    writeInt16(value: number): void {
        this.ensure(2);
        this.view.setInt16(this.length, value, true);
        this.length += 2;
    }

    writeBool(value: boolean): void {
        this.writeByte(value ? 1 : 0);
    }

    writeString(value: string): void {
        const utf8 = UTF8.encode(value);
        this.writeVarUint(utf8.length);
        this.writeBytes(utf8);
    }
}

/** Reads the primitives, refusing malformed input with a {@link ProfileFormatError} that names the offset. */
export class ByteReader {
    private readonly view: DataView;
    private offset: number;

    constructor(private readonly bytes: Uint8Array, offset = 0, private readonly end = bytes.length) {
        this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        this.offset = offset;
    }

    get position(): number {
        return this.offset;
    }

    remaining(): number {
        return this.end - this.offset;
    }

    fail(message: string, at = this.offset): never {
        throw new ProfileFormatError(`at offset ${at}: ${message}`);
    }

    private need(count: number, what: string): void {
        if (this.end - this.offset < count) {
            this.fail(`expected ${what} (${count} byte${count === 1 ? "" : "s"}) but the input ends`);
        }
    }

    readByte(what: string): number {
        this.need(1, what);
        return this.bytes[this.offset++]!;
    }

    readBytes(count: number, what: string): Uint8Array {
        this.need(count, what);
        const slice = this.bytes.subarray(this.offset, this.offset + count);
        this.offset += count;
        return slice;
    }

    /** A varint of up to 64 bits, as a bigint (padded forms accepted; beyond 64 bits refused). */
    readVarUint64(what: string): bigint {
        const start = this.offset;
        let result = 0n;
        for (let i = 0; i < 10; i++) {
            if (this.offset >= this.end) {
                this.fail(`expected ${what} (a varint) but the input ends`, start);
            }
            const b = this.bytes[this.offset++]!;
            if (i === 9 && b > 1) {
                this.fail(`${what} overflows 64 bits`, start);
            }
            result |= BigInt(b & 0x7f) << BigInt(7 * i);
            if ((b & 0x80) === 0) {
                return result;
            }
        }
        return this.fail(`${what} is a varint longer than 10 bytes`, start);
    }

    /** A varint that must fit a non-negative 32-bit int: counts, lengths, indices. */
    readCount(what: string): number {
        const start = this.offset;
        // Fast path: one to four bytes.
        let result = 0;
        for (let i = 0; i < 4 && this.offset < this.end; i++) {
            const b = this.bytes[this.offset]!;
            result += (b & 0x7f) * 2 ** (7 * i);
            this.offset++;
            if ((b & 0x80) === 0) {
                return result;
            }
        }
        this.offset = start;
        const value = this.readVarUint64(what);
        if (value > 0x7fffffffn) {
            this.fail(`${what} ${value} does not fit a non-negative 32-bit int`, start);
        }
        return Number(value);
    }

    readZigZag32(what: string): number {
        const start = this.offset;
        const raw = this.readVarUint64(what);
        if (raw >= BigInt(TWO_POW_32)) {
            this.fail(`${what} is wider than 32 bits`, start);
        }
        const n = Number(raw);
        return (n >>> 1) ^ -(n & 1);
    }

    readZigZag64(what: string): bigint {
        const raw = this.readVarUint64(what);
        return BigInt.asIntN(64, (raw >> 1n) ^ -(raw & 1n));
    }

    readFloat32(what: string): number {
        this.need(4, what);
        const v = this.view.getFloat32(this.offset, true);
        this.offset += 4;
        return v;
    }

    readFloat64(what: string): number {
        this.need(8, what);
        const v = this.view.getFloat64(this.offset, true);
        this.offset += 8;
        return v;
    }

    readInt16(what: string): number {
        this.need(2, what);
        const v = this.view.getInt16(this.offset, true);
        this.offset += 2;
        return v;
    }

    readBool(what: string): boolean {
        const at = this.offset;
        const b = this.readByte(what);
        if (b > 1) {
            this.fail(`${what} must be 00 or 01, not ${b.toString(16).padStart(2, "0")}`, at);
        }
        return b === 1;
    }

    readString(what: string): string {
        const start = this.offset;
        const length = this.readCount(`length of ${what}`);
        if (length > this.remaining()) {
            this.fail(`${what} of ${length} bytes cannot fit the ${this.remaining()} bytes that remain`, start);
        }
        const utf8 = this.readBytes(length, what);
        try {
            return UTF8_STRICT.decode(utf8);
        } catch {
            return this.fail(`${what} is not valid UTF-8`, start);
        }
    }
}

export function toHex(bytes: Uint8Array, separator = ""): string {
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join(separator);
}

export function fromHex(text: string): Uint8Array {
    const compact = text.replace(/\s+/g, "");
    if (compact.length % 2 !== 0 || /[^0-9a-fA-F]/.test(compact)) {
        throw new RangeError(`not hex: ${text}`);
    }
    const out = new Uint8Array(compact.length / 2);
    for (let i = 0; i < out.length; i++) {
        out[i] = parseInt(compact.substr(i * 2, 2), 16);
    }
    return out;
}
