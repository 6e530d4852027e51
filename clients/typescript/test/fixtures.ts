/** The TypeScript twin of profiles-core's test Fixtures: a profile of every type, filled with every operation. */
import { Profile } from "../src/profile.js";
import { parseSchema } from "../src/schema.js";

export const EVERY_TYPE_SCHEMA = JSON.stringify({
    properties: [
        { name: "gold", type: "int" },
        { name: "xp", type: "long" },
        { name: "speed", type: "float" },
        { name: "ratio", type: "double" },
        { name: "vip", type: "bool" },
        { name: "nick", type: "string" },
        { name: "lastSeen", type: "datetime" },
        { name: "pos", type: "vector3" },
        { name: "spawn", type: "vector3", step: 0.01 },
        { name: "ints", type: "list<int>" },
        { name: "longs", type: "list<long>" },
        { name: "floats", type: "list<float>" },
        { name: "doubles", type: "list<double>" },
        { name: "bools", type: "list<bool>" },
        { name: "strings", type: "list<string>" },
        { name: "counts", type: "dict<string,int>" },
        { name: "names", type: "dict<int,string>" },
        { name: "weights", type: "dict<string,double>" },
        { name: "flags", type: "dict<int,bool>" },
    ],
});

export function everyType(): Profile {
    return new Profile(parseSchema(EVERY_TYPE_SCHEMA));
}

/** Fixtures.fillEveryType, call for call. */
export function fillEveryType(p: Profile): void {
    p.set("gold", -1234);
    p.set("xp", 9_876_543_210n);
    p.set("speed", 1.5);
    p.set("ratio", -0.1);
    p.set("vip", true);
    p.set("nick", "Zoë \"the\" \\ 🐉\r\n\t");
    p.set("lastSeen", new Date("2026-11-21T08:00:00.123Z"));
    p.set("pos", { x: 1.25, y: -2.5, z: 1e-7 });
    p.set("spawn", { x: 12.34, y: -56.78, z: 327.67 });
    p.listAdd("ints", 1);
    p.listAdd("ints", 2);
    p.listInsert("ints", 0, 0);
    p.listInsert("ints", 3, 3);
    p.listInsert("ints", 1, 100);
    p.listRemove("ints", 1);
    p.listSet("ints", 3, -3);
    p.listReplace("longs", [-(1n << 63n), (1n << 63n) - 1n]);
    p.listAdd("floats", NaN);
    p.listAdd("floats", -0);
    p.listAdd("doubles", Number.MIN_VALUE);
    p.listAdd("bools", true);
    p.listAdd("bools", false);
    p.listClear("bools");
    p.listAdd("bools", true);
    p.listAdd("strings", "a");
    p.listInsert("strings", 0, "");
    p.dictPut("counts", "b", 2);
    p.dictPut("counts", "a", 1);
    p.dictPut("counts", "a", 11);
    p.dictPut("counts", "gone", 5);
    p.dictRemove("counts", "gone");
    p.dictPut("names", -7, "minus seven");
    p.dictPut("names", 42, "answer");
    p.dictReplace("weights", [["x", 0.5], ["y", -Infinity]]);
    p.dictPut("flags", 1, true);
    p.dictClear("flags");
    p.dictPut("flags", 2, false);
}
