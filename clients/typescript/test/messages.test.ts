import { test } from "node:test";
import assert from "node:assert/strict";
import { toHex, fromHex } from "../src/codec/bytes.js";
import { decodeMessage, encodeMessage, Message, ProtocolError, RefusalCode, Role } from "../src/messages.js";
import { golden } from "./golden.js";

const ONE_INT_DELTA = Uint8Array.of(1, 0, 10);

/** The samples of profiles-core's MessagesCodecTest, by the name of their golden file. */
const SAMPLES: Record<string, Message> = {
    Hello: { type: "Hello", protocolVersion: 6, role: Role.GAME_SERVER, instanceId: 0x0102030405060708n,
        credential: "s3cret", schemaFingerprint: "ab12" },
    Welcome: { type: "Welcome", userId: "u1", schemaJson: '{"properties":[]}', maxUpdateSize: 1 << 20 },
    Refused: { type: "Refused", code: RefusalCode.AUTHENTICATION, reason: "bad secret" },
    Challenge: { type: "Challenge", nonce: Uint8Array.of(1, 2, 3, 4) },
    Proof: { type: "Proof", hmac: Uint8Array.of(9, 9) },
    Flush: { type: "Flush", seq: 300 },
    ProfileRequest: { type: "ProfileRequest" },
    ProfileSnapshot: { type: "ProfileSnapshot", lastAppliedSeq: 7, push: 1, profile: Uint8Array.of(1, 2, 3, 4) },
    ClientUpdate: { type: "ClientUpdate", seq: 5, base: 3, overlay: 2, delta: ONE_INT_DELTA },
    ClientPush: { type: "ClientPush", ackSeq: 1, durableSeq: 1, delta: ONE_INT_DELTA, refusals: [] },
    ClientPushRefused: { type: "ClientPush", ackSeq: 2, durableSeq: 1, delta: new Uint8Array(0),
        refusals: [{ seq: 2, handle: 0, property: "level", reason: "150 is above 100" }] },
    AcquireProfile: { type: "AcquireProfile", requestId: 1, userId: "u1" },
    ProfileAcquired: { type: "ProfileAcquired", requestId: 1, handle: 3, lastAppliedSeq: 0, push: 1,
        profile: Uint8Array.of(9, 8, 7) },
    AcquireFailed: { type: "AcquireFailed", requestId: 1, reason: "database down" },
    ServerBatch: { type: "ServerBatch", seq: 1, entries: [{ handle: 1, base: 2, overlay: 0, delta: ONE_INT_DELTA },
        { handle: 2, base: 0, overlay: 0, delta: ONE_INT_DELTA }] },
    ServerPush: { type: "ServerPush", ackSeq: 1, durableSeq: 1, entries: [{ handle: 1, delta: ONE_INT_DELTA }], refusals: [] },
    ServerPushContinued: { type: "ServerPush", ackSeq: -1, durableSeq: -1, entries: [{ handle: 300, delta: Uint8Array.of(0) }],
        refusals: [{ seq: 4, handle: 300, property: "", reason: "unknown handle" }] },
    ReleaseProfile: { type: "ReleaseProfile", handle: 3 },
    // gold >= 30: one precondition, "gold", operator 0 (>=), a whole number (zigzag 60).
    ServerTransaction: { type: "ServerTransaction", seq: 4, handle: 3, base: 6, overlay: 1,
        preconditions: Uint8Array.of(1, 4, 0x67, 0x6f, 0x6c, 0x64, 0, 0, 60), delta: ONE_INT_DELTA },
};

for (const [name, sample] of Object.entries(SAMPLES)) {
    test(`${name} is the bytes of golden-messages/${name}.hex, both ways`, () => {
        const expected = golden(`golden-messages/${name}.hex`);
        assert.equal(toHex(encodeMessage(sample)), toHex(expected));
        assert.deepEqual(decodeMessage(expected), sample);
    });
}

test("a ClientUpdate says its base, and its overlay only when it has one", () => {
    assert.equal(toHex(encodeMessage(SAMPLES.ClientUpdate!)), "720503020301000a");
    const noBase: Message = { type: "ClientUpdate", seq: 1, base: 0, overlay: 0, delta: ONE_INT_DELTA };
    // class id 112+2, seq 1, base 0 (none: no overlay follows), delta length 3, the delta
    assert.equal(toHex(encodeMessage(noBase)), "7201000301000a");
    assert.deepEqual(decodeMessage(fromHex("7201000301000a")), noBase);
    // An overlay without a base does not travel (it reads back as 0).
    assert.equal(toHex(encodeMessage({ ...noBase, overlay: 4 })), "7201000301000a");
    // A base with overlay 0 still carries the overlay byte.
    assert.equal(toHex(encodeMessage({ ...noBase, base: 1 })), "720101000301000a");
});

test("a ServerBatch entry carries its base; a ServerPush entry does not", () => {
    assert.deepEqual([...encodeMessage({ type: "ServerBatch", seq: 1,
        entries: [{ handle: 1, base: 4, overlay: 0, delta: ONE_INT_DELTA }] })], [125, 1, 1, 1, 4, 0, 3, 1, 0, 10]);
    assert.deepEqual([...encodeMessage({ type: "ServerBatch", seq: 1, entries: [{ handle: 1, delta: ONE_INT_DELTA }] })],
        [125, 1, 1, 1, 0, 3, 1, 0, 10]);
    assert.deepEqual([...encodeMessage(SAMPLES.ServerPush!)], [126, 2, 2, 1, 1, 3, 1, 0, 10, 0]);
});

test("a ClientPush of one three-byte delta takes eight bytes", () => {
    assert.deepEqual([...encodeMessage(SAMPLES.ClientPush!)], [115, 1, 1, 3, 1, 0, 10, 0]);
});

test("varlongs take Kryo's 9-byte form and long8 is little-endian", () => {
    const big: Message = { type: "ClientUpdate", seq: Number.MAX_SAFE_INTEGER, base: Number.MAX_SAFE_INTEGER,
        overlay: 1, delta: new Uint8Array() };
    assert.deepEqual(decodeMessage(encodeMessage(big)), big);
    // Kryo writes 2^56 and above in 9 bytes, the last carrying 8 bits: -1 + 1 = 0 here, so check a raw 9-byte form.
    assert.throws(() => decodeMessage(fromHex("72ffffffffffffffff7f00")), /beyond/);
    assert.equal(toHex(encodeMessage({ type: "Hello", protocolVersion: 1, role: Role.CLIENT,
        instanceId: -1n, credential: "", schemaFingerprint: "" })), "660101ffffffffffffffff0000");
});

test("hostile lengths and counts are refused without allocating them (MessagesCodecTest's cases)", () => {
    for (const hex of [
        "7d01ffffffff07", "7e000080808080", "710001f0ffffff07", "720100ffffffff0f",
        "6601020102030405060708808080800400", "66010901020304050607080000", "6802e807616263", "7b0103", "5a00",
        "7dffffffffffffffffffffff",
    ]) {
        assert.throws(() => decodeMessage(fromHex(hex)), ProtocolError, hex);
    }
    assert.throws(() => decodeMessage(fromHex("7d01ffffffff07")), /2147483647/);
});

test("a frame holds exactly one message: trailing bytes are refused", () => {
    assert.throws(() => decodeMessage(fromHex("7000")), /follow/);
});
