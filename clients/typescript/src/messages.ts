/**
 * The wire messages of docs/protocol.md, byte for byte as profiles-core's Protocol serializers write them through
 * Kryo 5: a class id (registration id + 2) as a varint, then the fields. Over WebSocket one binary frame holds
 * exactly one message (no length prefix: the frame is the length).
 */

/** Bumped on any incompatible change of the messages (profiles-core's Protocol.VERSION). */
export const PROTOCOL_VERSION = 6;

/** Why the master refused a peer (profiles-core's RefusalCode). */
export enum RefusalCode {
    PROTOCOL_VERSION = 1,
    AUTHENTICATION = 2,
    SCHEMA_MISMATCH = 3,
    BAD_MESSAGE = 4,
    TIMEOUT = 5,
    SHUTTING_DOWN = 6,
    OVERLOADED = 7,
}

export enum Role {
    CLIENT = 1,
    GAME_SERVER = 2,
}

/** Malformed message bytes (a forged length or count, a truncation, an unknown class id). */
export class ProtocolError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ProtocolError";
    }
}

export interface Refusal { readonly seq: number; readonly handle: number; readonly property: string; readonly reason: string }
/**
 * The delta of one held profile, named by its handle. In a batch (ServerBatch), also where the writer's copy stood
 * when the changes were made, so the master can move their list indices onto its own list (docs/protocol.md, "Lists
 * under concurrent writers"): {@code base} is the number of the last push of this profile the copy had applied (1 for
 * the snapshot it started from, 0 or absent: not said), and its batches from {@code seq - overlay} on were laid over
 * it, not yet acknowledged. A push's entries carry neither (they do not travel there).
 */
export interface HandleDelta {
    readonly handle: number;
    readonly base?: number;
    readonly overlay?: number;
    readonly delta: Uint8Array;
}

export type Message =
    | { type: "Hello"; protocolVersion: number; role: Role; instanceId: bigint; credential: string;
        schemaFingerprint: string }
    | { type: "Welcome"; userId: string; schemaJson: string; maxUpdateSize: number }
    | { type: "Refused"; code: number; reason: string }
    | { type: "Challenge"; nonce: Uint8Array }
    | { type: "Proof"; hmac: Uint8Array }
    | { type: "Flush"; seq: number }
    | { type: "ProfileRequest" }
    /**
     * The whole profile: it holds the client's batches up to {@code lastAppliedSeq}, and is push number {@code push}
     * of this copy (the master's count of its pushes to it; 1 for a fresh load), so later batches name their base in
     * the master's numbering.
     */
    | { type: "ProfileSnapshot"; lastAppliedSeq: number; push: number; profile: Uint8Array }
    /**
     * Batch {@code seq} of the client's changes, made on its copy as push number {@code base} left it (1: the
     * snapshot; 0: not said, as a batch sent again after a reconnection), with {@code overlay} of its own earlier
     * batches, not yet applied by the master, laid over that view ({@code overlay} travels only when base > 0).
     */
    | { type: "ClientUpdate"; seq: number; base: number; overlay: number; delta: Uint8Array }
    | { type: "ClientPush"; ackSeq: number; durableSeq: number; delta: Uint8Array; refusals: Refusal[] }
    | { type: "AcquireProfile"; requestId: number; userId: string }
    | { type: "ProfileAcquired"; requestId: number; handle: number; lastAppliedSeq: number; push: number;
        profile: Uint8Array }
    | { type: "AcquireFailed"; requestId: number; reason: string }
    | { type: "ServerBatch"; seq: number; entries: HandleDelta[] }
    | { type: "ServerPush"; ackSeq: number; durableSeq: number; entries: HandleDelta[]; refusals: Refusal[] }
    | { type: "ReleaseProfile"; handle: number }
    | { type: "ServerTransaction"; seq: number; handle: number; base: number; overlay: number;
        preconditions: Uint8Array; delta: Uint8Array };

export type MessageType = Message["type"];

/** Registration ids (docs/protocol.md, "Messages"); the byte on the wire is id + 2. */
export const MESSAGE_IDS: Readonly<Record<MessageType, number>> = {
    Hello: 100, Welcome: 101, Refused: 102, Challenge: 103, Proof: 104, Flush: 105,
    ProfileRequest: 110, ProfileSnapshot: 111, ClientUpdate: 112, ClientPush: 113,
    AcquireProfile: 120, ProfileAcquired: 121, AcquireFailed: 122, ServerBatch: 123, ServerPush: 124,
    ReleaseProfile: 125, ServerTransaction: 126,
};
const TYPES_BY_WIRE_ID = new Map<number, MessageType>(
    Object.entries(MESSAGE_IDS).map(([type, id]) => [id + 2, type as MessageType]));

const UTF8_LENIENT = new TextDecoder("utf-8");
const UTF8 = new TextEncoder();

/** Kryo 5's Output, for the parts the serializers use. */
class KryoWriter {
    private bytes: number[] = [];

    /** writeVarInt(v, true): 1 to 5 bytes; negative ints take 5. */
    varInt(value: number): void {
        let v = value >>> 0;
        while (v >= 0x80) {
            this.bytes.push((v & 0x7f) | 0x80);
            v >>>= 7;
        }
        this.bytes.push(v);
    }

    /** writeVarLong(v, true): 1 to 9 bytes, the 9th carrying 8 bits. */
    varLong(value: number | bigint): void {
        let v = BigInt.asUintN(64, BigInt(value));
        for (let i = 0; i < 8; i++) {
            if (v < 0x80n) {
                this.bytes.push(Number(v));
                return;
            }
            this.bytes.push(Number(v & 0x7fn) | 0x80);
            v >>= 7n;
        }
        this.bytes.push(Number(v));
    }

    /** writeLong: 8 bytes little-endian. */
    long8(value: bigint): void {
        let v = BigInt.asUintN(64, value);
        for (let i = 0; i < 8; i++) {
            this.bytes.push(Number(v & 0xffn));
            v >>= 8n;
        }
    }

    byte(value: number): void {
        this.bytes.push(value & 0xff);
    }

    raw(bytes: Uint8Array): void {
        for (const b of bytes) {
            this.bytes.push(b);
        }
    }

    string(value: string): void {
        const utf8 = UTF8.encode(value);
        this.varInt(utf8.length);
        this.raw(utf8);
    }

    byteArray(value: Uint8Array): void {
        this.varInt(value.length);
        this.raw(value);
    }

    toBytes(): Uint8Array {
        return Uint8Array.from(this.bytes);
    }
}

/** Kryo 5's Input, with the checks of profiles-core's Messages and Protocol readers. */
class KryoReader {
    private offset = 0;

    constructor(private readonly bytes: Uint8Array) {
    }

    remaining(): number {
        return this.bytes.length - this.offset;
    }

    private next(): number {
        if (this.offset >= this.bytes.length) {
            throw new ProtocolError(`buffer underflow at offset ${this.offset}: the message ends too early`);
        }
        return this.bytes[this.offset++]!;
    }

    /** readVarInt(true): at most 5 bytes, as a signed 32-bit int (Kryo keeps the low 32 bits). */
    varInt(): number {
        let result = 0;
        for (let i = 0; i < 5; i++) {
            const b = this.next();
            result |= (b & 0x7f) << (7 * i);
            if ((b & 0x80) === 0) {
                break;
            }
        }
        return result | 0;
    }

    /** readVarLong(true) as a bigint (signed 64-bit). */
    varLongBig(): bigint {
        let result = 0n;
        for (let i = 0; i < 8; i++) {
            const b = this.next();
            result |= BigInt(b & 0x7f) << BigInt(7 * i);
            if ((b & 0x80) === 0) {
                return BigInt.asIntN(64, result);
            }
        }
        result |= BigInt(this.next()) << 56n;
        return BigInt.asIntN(64, result);
    }

    /** A varlong that JavaScript holds exactly (sequence numbers; honest peers never pass 2^53). */
    varLong(): number {
        const value = this.varLongBig();
        if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < BigInt(Number.MIN_SAFE_INTEGER)) {
            throw new ProtocolError(`sequence number ${value} is beyond what this client holds exactly (2^53)`);
        }
        return Number(value);
    }

    long8(): bigint {
        let result = 0n;
        for (let i = 0; i < 8; i++) {
            result |= BigInt(this.next()) << BigInt(8 * i);
        }
        return BigInt.asIntN(64, result);
    }

    byte(): number {
        return this.next();
    }

    private length(what: string): number {
        const length = this.varInt();
        if (length < 0 || length > this.remaining()) {
            throw new ProtocolError(`${what} of ${length} bytes exceeds the limit of ${this.remaining()}`);
        }
        return length;
    }

    byteArray(): Uint8Array {
        const length = this.length("byte array");
        const out = this.bytes.slice(this.offset, this.offset + length);
        this.offset += length;
        return out;
    }

    string(): string {
        const length = this.length("string");
        const text = UTF8_LENIENT.decode(this.bytes.subarray(this.offset, this.offset + length));
        this.offset += length;
        return text;
    }

    count(minBytesEach: number): number {
        const count = this.varInt();
        if (count < 0 || count * minBytesEach > this.remaining()) {
            throw new ProtocolError(`count ${count} cannot fit the ${this.remaining()} bytes that remain`);
        }
        return count;
    }
}

/** A batch's base: the push number (0: none), then, only when there is one, how many batches were laid over. */
function writeBase(out: KryoWriter, base: number, overlay: number): void {
    out.varLong(Math.max(0, base));
    if (base > 0) {
        out.varLong(Math.max(0, overlay));
    }
}

/** The base and overlay of a batch; the overlay reads as 0 when no base is said (it does not travel then). */
function readBase(input: KryoReader): { base: number; overlay: number } {
    const base = input.varLong();
    return { base, overlay: base > 0 ? input.varLong() : 0 };
}

/** {@code withBase}: a batch's entries, each with its base; a push's carry none. */
function writeEntries(out: KryoWriter, entries: readonly HandleDelta[], withBase: boolean): void {
    out.varInt(entries.length);
    for (const entry of entries) {
        out.varInt(entry.handle);
        if (withBase) {
            writeBase(out, entry.base ?? 0, entry.overlay ?? 0);
        }
        out.byteArray(entry.delta);
    }
}

function readEntries(input: KryoReader, withBase: boolean): HandleDelta[] {
    const count = input.count(withBase ? 3 : 2);
    const entries: HandleDelta[] = [];
    for (let n = 0; n < count; n++) {
        const handle = input.varInt();
        if (withBase) {
            const { base, overlay } = readBase(input);
            entries.push({ handle, base, overlay, delta: input.byteArray() });
        } else {
            entries.push({ handle, delta: input.byteArray() });
        }
    }
    return entries;
}

function writeRefusals(out: KryoWriter, refusals: readonly Refusal[]): void {
    out.varInt(refusals.length);
    for (const r of refusals) {
        out.varLong(r.seq);
        out.varInt(r.handle);
        out.string(r.property);
        out.string(r.reason);
    }
}

function readRefusals(input: KryoReader): Refusal[] {
    const count = input.count(4);
    const refusals: Refusal[] = [];
    for (let n = 0; n < count; n++) {
        refusals.push({ seq: input.varLong(), handle: input.varInt(), property: input.string(), reason: input.string() });
    }
    return refusals;
}

/** The bytes of one message: class id, then the fields. */
export function encodeMessage(message: Message): Uint8Array {
    const out = new KryoWriter();
    out.varInt(MESSAGE_IDS[message.type] + 2);
    switch (message.type) {
        case "Hello":
            out.varInt(message.protocolVersion);
            out.byte(message.role);
            out.long8(message.instanceId);
            out.string(message.credential);
            out.string(message.schemaFingerprint);
            break;
        case "Welcome":
            out.string(message.userId);
            out.string(message.schemaJson);
            out.varInt(message.maxUpdateSize);
            break;
        case "Refused":
            out.varInt(message.code);
            out.string(message.reason);
            break;
        case "Challenge":
            out.byteArray(message.nonce);
            break;
        case "Proof":
            out.byteArray(message.hmac);
            break;
        case "Flush":
            out.varLong(message.seq);
            break;
        case "ProfileRequest":
            break;
        case "ProfileSnapshot":
            out.varLong(message.lastAppliedSeq);
            out.varLong(message.push);
            out.byteArray(message.profile);
            break;
        case "ClientUpdate":
            out.varLong(message.seq);
            writeBase(out, message.base, message.overlay);
            out.byteArray(message.delta);
            break;
        case "ClientPush":
            out.varLong(message.ackSeq);
            out.varLong(message.durableSeq);
            out.byteArray(message.delta);
            writeRefusals(out, message.refusals);
            break;
        case "AcquireProfile":
            out.varInt(message.requestId);
            out.string(message.userId);
            break;
        case "ProfileAcquired":
            out.varInt(message.requestId);
            out.varInt(message.handle);
            out.varLong(message.lastAppliedSeq);
            out.varLong(message.push);
            out.byteArray(message.profile);
            break;
        case "AcquireFailed":
            out.varInt(message.requestId);
            out.string(message.reason);
            break;
        case "ServerBatch":
            out.varLong(message.seq);
            writeEntries(out, message.entries, true);
            break;
        case "ServerPush":
            // ackSeq -1 (continued) travels as 0; real sequence numbers start at 1.
            out.varLong(message.ackSeq + 1);
            out.varLong(message.durableSeq + 1);
            writeEntries(out, message.entries, false);
            writeRefusals(out, message.refusals);
            break;
        case "ReleaseProfile":
            out.varInt(message.handle);
            break;
        case "ServerTransaction":
            out.varLong(message.seq);
            out.varInt(message.handle);
            writeBase(out, message.base, message.overlay);
            out.byteArray(message.preconditions);
            out.byteArray(message.delta);
            break;
    }
    return out.toBytes();
}

/**
 * The message in {@code bytes}, which must hold exactly one message and nothing after it.
 *
 * @throws ProtocolError when the bytes are no message
 */
export function decodeMessage(bytes: Uint8Array): Message {
    const input = new KryoReader(bytes);
    const wireId = input.varInt();
    const type = TYPES_BY_WIRE_ID.get(wireId);
    if (type === undefined) {
        throw new ProtocolError(`unregistered class id ${wireId} (registration id ${wireId - 2})`);
    }
    const message = decodeFields(type, input);
    if (input.remaining() !== 0) {
        throw new ProtocolError(`${input.remaining()} bytes follow the ${type} message in the same frame`);
    }
    return message;
}

function decodeFields(type: MessageType, input: KryoReader): Message {
    switch (type) {
        case "Hello": {
            const protocolVersion = input.varInt();
            const role = input.byte();
            if (role !== Role.CLIENT && role !== Role.GAME_SERVER) {
                throw new ProtocolError(`Hello names unknown role ${role}; expected 1 (client) or 2 (game server)`);
            }
            return { type, protocolVersion, role, instanceId: input.long8(), credential: input.string(),
                schemaFingerprint: input.string() };
        }
        case "Welcome":
            return { type, userId: input.string(), schemaJson: input.string(), maxUpdateSize: input.varInt() };
        case "Refused": {
            // Unknown codes read as BAD_MESSAGE, as RefusalCode.of does.
            const raw = input.varInt();
            const code = raw >= 1 && raw <= 7 ? raw : RefusalCode.BAD_MESSAGE;
            return { type, code, reason: input.string() };
        }
        case "Challenge":
            return { type, nonce: input.byteArray() };
        case "Proof":
            return { type, hmac: input.byteArray() };
        case "Flush":
            return { type, seq: input.varLong() };
        case "ProfileRequest":
            return { type };
        case "ProfileSnapshot":
            return { type, lastAppliedSeq: input.varLong(), push: input.varLong(), profile: input.byteArray() };
        case "ClientUpdate": {
            const seq = input.varLong();
            const { base, overlay } = readBase(input);
            return { type, seq, base, overlay, delta: input.byteArray() };
        }
        case "ClientPush":
            return { type, ackSeq: input.varLong(), durableSeq: input.varLong(), delta: input.byteArray(),
                refusals: readRefusals(input) };
        case "AcquireProfile":
            return { type, requestId: input.varInt(), userId: input.string() };
        case "ProfileAcquired":
            return { type, requestId: input.varInt(), handle: input.varInt(), lastAppliedSeq: input.varLong(),
                push: input.varLong(), profile: input.byteArray() };
        case "AcquireFailed":
            return { type, requestId: input.varInt(), reason: input.string() };
        case "ServerBatch":
            return { type, seq: input.varLong(), entries: readEntries(input, true) };
        case "ServerPush":
            return { type, ackSeq: input.varLong() - 1, durableSeq: input.varLong() - 1, entries: readEntries(input, false),
                refusals: readRefusals(input) };
        case "ReleaseProfile":
            return { type, handle: input.varInt() };
        case "ServerTransaction": {
            const seq = input.varLong();
            const handle = input.varInt();
            const { base, overlay } = readBase(input);
            return { type, seq, handle, base, overlay, preconditions: input.byteArray(), delta: input.byteArray() };
        }
    }
}
