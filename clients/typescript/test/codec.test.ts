import { test } from "node:test";
import assert from "node:assert/strict";
import { ByteReader, ByteWriter, ProfileFormatError, toHex } from "../src/codec/bytes.js";
import { sha256 } from "../src/codec/sha256.js";
import { Profile } from "../src/profile.js";
import { javaFloatToString, parseSchema } from "../src/schema.js";
import { everyType, fillEveryType } from "./fixtures.js";
import { golden } from "./golden.js";

test("the whole profile of every type is the golden file's bytes, and reads back", () => {
    const profile = everyType();
    fillEveryType(profile);
    const expected = golden("golden/every-type-whole.hex");
    assert.equal(toHex(profile.toBytes()), toHex(expected));
    const decoded = everyType();
    decoded.fromBytes(expected);
    assert.deepEqual(decoded.toJSON(), profile.toJSON());
    assert.equal(toHex(decoded.toBytes()), toHex(expected));
});

test("the delta of every type and every operation is the golden file's bytes, and applies", () => {
    const profile = everyType();
    const replica = profile.copy();
    fillEveryType(profile);
    const expected = golden("golden/every-type-delta.hex");
    assert.equal(toHex(profile.getUpdates()), toHex(expected));
    replica.applyUpdates(expected);
    assert.deepEqual(replica.toJSON(), profile.toJSON());
    assert.equal(toHex(replica.toBytes()), toHex(profile.toBytes()));
});

test("the worked examples of wire-format.md", () => {
    const p = new Profile(parseSchema('{"properties":[{"name":"gold","type":"int"},{"name":"nick","type":"string"}]}'));
    p.set("gold", 5);
    p.set("nick", "hé");
    assert.equal(toHex(p.toBytes(), " "), "01 07 4c 60 1c 78 1e ff 9d 0a 03 68 c3 a9");
    const three = new Profile(parseSchema('{"properties":[{"name":"gold","type":"int"},{"name":"gems","type":"int"},'
        + '{"name":"xp","type":"int"}]}'));
    three.set("xp", 63);
    assert.equal(toHex(three.getUpdates(), " "), "01 08 7e");
    const v = new Profile(parseSchema('{"properties":[{"name":"v","type":"vector3","step":0.01}]}'));
    v.set("v", { x: -327, y: 327, z: 0.05 });
    assert.equal(toHex(v.getUpdates(), " "), "01 00 44 80 bc 7f 05 00");
});

test("increments are the bytes of golden/every-number-increments.hex and add to the receiver's value", () => {
    const profile = everyType();
    const replica = everyType();
    assert.ok(profile.add("gold", 5));
    assert.ok(profile.subtract("xp", 3n, -100n));
    assert.ok(profile.add("speed", 1.5, 10));
    assert.ok(profile.add("ratio", 0.25, 1.0));
    assert.ok(profile.subtract("ratio", 0.5, -1.0));
    const expected = golden("golden/every-number-increments.hex");
    assert.equal(toHex(profile.getUpdates()), toHex(expected));
    replica.set("gold", 100);
    replica.applyUpdates(expected);
    assert.equal(replica.getInt("gold"), 105);
    assert.equal(replica.getLong("xp"), -3n);
    assert.equal(replica.getDouble("ratio"), -0.25);
});

test("a bounded spend that does not fit the receiver's value is left out; a set turns increments into a value", () => {
    const writer = new Profile(parseSchema('{"properties":[{"name":"gold","type":"int","default":100}]}'));
    writer.set("gold", 100);
    writer.clearUpdates();
    assert.ok(writer.subtract("gold", 30, 0));
    assert.equal(toHex(writer.getUpdates(), " "), "01 02 3b 01 00");
    const poor = new Profile(parseSchema('{"properties":[{"name":"gold","type":"int","default":100}]}'));
    poor.set("gold", 20);
    poor.applyUpdates(writer.getUpdates());
    assert.equal(poor.getInt("gold"), 20);
    assert.equal(writer.add("gold", 2147483647), false, "beyond the int range");
    writer.set("gold", 40);
    assert.ok(writer.add("gold", 2));
    assert.equal(writer.recordedIncrement("gold"), null);
    assert.equal(toHex(writer.getUpdates(), " "), "01 00 54");
    assert.throws(() => poor.applyUpdates(Uint8Array.of(1, 3, 0)), /update kind 3 is not defined/);
});

test("sha256 of the empty string and of abc", () => {
    assert.equal(toHex(sha256(new Uint8Array())),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    assert.equal(toHex(sha256(new TextEncoder().encode("abc"))),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    assert.equal(toHex(sha256(new Uint8Array(1000).fill(97))).slice(0, 16), "41edece42d63e8d9");
});

test("Java's Float.toString for steps", () => {
    assert.equal(javaFloatToString(0.01), "0.01");
    assert.equal(javaFloatToString(0.5), "0.5");
    assert.equal(javaFloatToString(2), "2.0");
    assert.equal(javaFloatToString(0.001), "0.001");
    assert.equal(javaFloatToString(0.0001), "1.0E-4");
    assert.equal(javaFloatToString(12345678), "1.2345678E7");
    assert.equal(javaFloatToString(100), "100.0");
});

test("varints: shortest forms written, padded forms read, 64-bit overflow refused", () => {
    const out = new ByteWriter();
    out.writeVarUint(300);
    out.writeZigZag32(-1);
    out.writeZigZag64(-(1n << 63n));
    assert.equal(toHex(out.toBytes(), " "), "ac 02 01 ff ff ff ff ff ff ff ff ff 01");
    assert.equal(new ByteReader(Uint8Array.of(0x80, 0x80, 0x00)).readCount("n"), 0);
    assert.throws(() => new ByteReader(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02))
        .readVarUint64("n"), ProfileFormatError);
});

test("every truncation of the golden profile and delta is refused and changes nothing", () => {
    const whole = golden("golden/every-type-whole.hex");
    const delta = golden("golden/every-type-delta.hex");
    for (let cut = 0; cut < whole.length; cut++) {
        const p = everyType();
        assert.throws(() => p.fromBytes(whole.subarray(0, cut)), ProfileFormatError, `whole cut at ${cut}`);
        assert.deepEqual(p.toJSON(), everyType().toJSON());
    }
    for (let cut = 0; cut < delta.length; cut++) {
        const p = everyType();
        assert.throws(() => p.applyUpdates(delta.subarray(0, cut)), ProfileFormatError, `delta cut at ${cut}`);
        assert.deepEqual(p.toJSON(), everyType().toJSON());
    }
});

test("random corruptions of the delta give a ProfileFormatError or a valid change, never another error", () => {
    const delta = golden("golden/every-type-delta.hex");
    let seed = 12345;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    for (let n = 0; n < 3000; n++) {
        const corrupt = delta.slice();
        for (let k = 0; k < 1 + Math.floor(random() * 3); k++) {
            corrupt[Math.floor(random() * corrupt.length)] = Math.floor(random() * 256);
        }
        const p = everyType();
        try {
            p.applyUpdates(corrupt);
        } catch (e) {
            assert.ok(e instanceof ProfileFormatError, `corruption ${n}: ${String(e)}`);
            assert.deepEqual(p.toJSON(), everyType().toJSON());
        }
    }
});

test("a profile of another layout is refused by its fingerprint", () => {
    const whole = golden("golden/every-type-whole.hex");
    const other = new Profile(parseSchema('{"properties":[{"name":"gold","type":"int"}]}'));
    assert.throws(() => other.fromBytes(whole), /fingerprint/);
});

test("messages name the offset, as the Java codec's do", () => {
    const p = new Profile(parseSchema('{"properties":[{"name":"a","type":"int"},{"name":"b","type":"int"},'
        + '{"name":"c","type":"int"}]}'));
    assert.throws(() => p.applyUpdates(Uint8Array.of(1, 12, 0)),
        { message: "at offset 1: property index 3 is unknown; this profile has 3 properties (0..2)" });
});

test("listeners per property and per profile see local and remote changes", () => {
    const p = everyType();
    const seen: string[] = [];
    p.onChange("gold", (value, previous) => seen.push(`gold ${String(previous)}->${String(value)}`));
    p.onAnyChange((name) => seen.push(`any ${name}`));
    p.set("gold", 7);
    const other = everyType();
    other.set("gold", 9);
    p.applyUpdates(other.getUpdates());
    assert.deepEqual(seen, ["gold 0->7", "any gold", "gold 7->9", "any gold"]);
});

test("a burst of puts into a small dictionary keeps each key's last put, never a replace of the whole", () => {
    const schema = parseSchema('{"properties":[{"name":"bag","type":"dict<string,int>"}]}');
    const writer = new Profile(schema);
    const master = new Profile(schema);
    master.dictPut("bag", "theirs", 1); // another writer's key, put meanwhile
    for (let i = 0; i < 40; i++) {
        writer.dictPut("bag", "mine" + i, i);
        writer.dictPut("bag", "mine" + i, i + 1);
    }
    const delta = writer.getUpdates();
    master.applyUpdates(delta);
    const bag = master.toJSON()["bag"] as Record<string, number>;
    assert.equal(bag["theirs"], 1);
    assert.equal(bag["mine39"], 40);
    assert.equal(Object.keys(bag).length, 41);
});

test("a burst of list edits says only what its writer did, and keeps another writer's append", () => {
    const schema = parseSchema('{"properties":[{"name":"l","type":"list<string>"}]}');
    const writer = new Profile(schema);
    writer.listAdd("l", "a");
    writer.listAdd("l", "b");
    const master = writer.copy();
    master.listAdd("l", "theirs"); // another writer's append, meanwhile
    writer.clearUpdates();
    for (let i = 0; i < 50; i++) {
        writer.listSet("l", i % 2, "v" + i);
        writer.listAdd("l", "tmp");
        writer.listRemove("l", 2);
        writer.listInsert("l", 0, "x");
        writer.listSet("l", 0, "y");
        writer.listRemove("l", 0);
    }
    writer.listAdd("l", "mine");
    master.applyUpdates(writer.getUpdates());
    assert.deepEqual(master.toJSON()["l"], ["v48", "v49", "theirs", "mine"]);
});
