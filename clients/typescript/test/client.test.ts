import { test } from "node:test";
import assert from "node:assert/strict";
import { backoffDelayMs, ClientRefusal, NotDurableError, ProfilesClient, RefusedError } from "../src/client.js";
import { Profile } from "../src/profile.js";
import { parseSchema } from "../src/schema.js";
import { PROTOCOL_VERSION, RefusalCode, Role } from "../src/messages.js";
import { toHex } from "../src/codec/bytes.js";
import { FakeConnection, FakeMaster, flush, VirtualClock } from "./fake-master.js";

const SCHEMA = JSON.stringify({ properties: [
    { name: "displayName", type: "string", clientWritable: true, maxLength: 32 },
    { name: "gold", type: "int" },
    { name: "items", type: "list<string>", clientWritable: true },
] });

/** The master's copy of the profile: what it would send in a snapshot. */
function masterProfile(values: { displayName?: string; gold?: number } = {}): Profile {
    const p = new Profile(parseSchema(SCHEMA));
    if (values.displayName !== undefined) {
        p.set("displayName", values.displayName);
    }
    if (values.gold !== undefined) {
        p.set("gold", values.gold);
    }
    p.clearUpdates();
    return p;
}

function setup() {
    const master = new FakeMaster();
    const clock = new VirtualClock();
    let r = 0.5;
    const client = new ProfilesClient({ transport: master.transport, token: "tok-1", clock, random: () => r });
    return { master, clock, client, setRandom: (v: number) => { r = v; } };
}

/** Answers the handshake of the newest connection with Welcome and a snapshot. */
async function welcome(master: FakeMaster, snapshot: Profile, lastAppliedSeq = 0, push = 1): Promise<FakeConnection> {
    await flush();
    const c = master.last;
    assert.equal(c.sent("Hello").length, 1);
    c.send({ type: "Welcome", userId: "alice", schemaJson: SCHEMA, maxUpdateSize: 65536 });
    assert.equal(c.sent("ProfileRequest").length, 1);
    c.send({ type: "ProfileSnapshot", lastAppliedSeq, push, profile: snapshot.toBytes() });
    return c;
}

test("connects with its token, loads its profile from the Welcome's schema, and reads it typed", async () => {
    const { master, client } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile({ displayName: "Alice", gold: 40 }));
    const profile = await loading;
    const hello = c.sent("Hello")[0]!;
    assert.equal(hello.credential, "tok-1");
    assert.equal(hello.role, Role.CLIENT);
    assert.equal(hello.protocolVersion, PROTOCOL_VERSION);
    assert.equal(hello.instanceId, client.instanceId);
    assert.equal(client.state, "ready");
    assert.equal(client.userId, "alice");
    assert.equal(profile.getString("displayName"), "Alice");
    assert.equal(profile.getInt("gold"), 40);
    assert.deepEqual(profile.getList("items"), []);
});

test("pushes reach the listeners of the property and of the profile", async () => {
    const { master, client } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile());
    const profile = await loading;
    const seen: string[] = [];
    profile.onChange<number>("gold", (gold, previous) => seen.push(`gold ${previous}->${gold}`));
    profile.onAnyChange((name) => seen.push(name));
    const change = masterProfile();
    change.set("gold", 5);
    c.send({ type: "ClientPush", ackSeq: 0, durableSeq: 0, delta: change.getUpdates(), refusals: [] });
    assert.deepEqual(seen, ["gold 0->5", "gold"]);
    assert.equal(profile.getInt("gold"), 5);
});

test("writes of client-writable properties go in one numbered ClientUpdate per tick; others are refused at once",
    async () => {
        const { master, client, clock } = setup();
        const loading = client.connect();
        const c = await welcome(master, masterProfile());
        await loading;
        client.set("displayName", "Zoë");
        client.profile.listAdd("items", "sword");
        assert.throws(() => client.set("gold", 1_000_000), TypeError);
        assert.throws(() => client.profile.set("gold", 1), /not client-writable/);
        clock.advance(100);
        const updates = c.sent("ClientUpdate");
        assert.equal(updates.length, 1);
        assert.equal(updates[0]!.seq, 1);
        const expected = masterProfile();
        expected.set("displayName", "Zoë");
        expected.listAdd("items", "sword");
        assert.equal(toHex(updates[0]!.delta), toHex(expected.getUpdates()));
        assert.equal(client.pendingBatches, 1);
        clock.advance(1000);
        assert.equal(c.sent("ClientUpdate").length, 1, "a tick with no change sends nothing");
        c.send({ type: "ClientPush", ackSeq: 1, durableSeq: 1, delta: updates[0]!.delta, refusals: [] });
        assert.equal(client.pendingBatches, 0);
        assert.equal(client.profile.getString("displayName"), "Zoë");
        assert.deepEqual(client.profile.getList("items"), ["sword"]);
    });

test("a refused write is told to the refusal listeners and the copy returns to the master's value", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile({ displayName: "Alice" }));
    const profile = await loading;
    const refusals: ClientRefusal[] = [];
    client.onRefusal((r) => refusals.push(r));
    const names: string[] = [];
    profile.onChange<string>("displayName", (name) => names.push(name));
    client.set("displayName", "x".repeat(40));
    clock.advance(100);
    c.send({ type: "ClientPush", ackSeq: 1, durableSeq: 1, delta: new Uint8Array(0),
        refusals: [{ seq: 1, handle: 0, property: "displayName", reason: "40 characters, more than 32" }] });
    assert.deepEqual(refusals, [{ seq: 1, property: "displayName", reason: "40 characters, more than 32" }]);
    assert.equal(profile.getString("displayName"), "Alice");
    assert.deepEqual(names, ["x".repeat(40), "Alice"]);
});

test("a refused token stops the client for good", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    await flush();
    master.last.send({ type: "Refused", code: RefusalCode.AUTHENTICATION, reason: "token expired" });
    await assert.rejects(loading, (e: unknown) => e instanceof RefusedError && e.code === RefusalCode.AUTHENTICATION
        && /token expired/.test(e.message));
    assert.equal(client.state, "failed");
    clock.advance(60_000);
    assert.equal(master.connections.length, 1, "no reconnection after a refused token");
});

test("after a drop it reconnects with backoff, resyncs, and sends unacknowledged writes again with their seqs",
    async () => {
        const { master, client, clock } = setup();
        const loading = client.connect();
        const first = await welcome(master, masterProfile({ displayName: "Alice", gold: 1 }));
        const profile = await loading;
        const states: string[] = [];
        client.onState((s) => states.push(s));
        let reloads = 0;
        client.onReady(() => reloads++);
        client.set("displayName", "Bob");
        clock.advance(100);
        assert.equal(first.sent("ClientUpdate")[0]!.seq, 1);
        first.drop();
        assert.equal(client.state, "disconnected");
        client.set("displayName", "Carol");
        clock.advance(199);
        assert.equal(master.connections.length, 1, "waits the backoff (200 ms with random 0.5)");
        clock.advance(1);
        assert.equal(master.connections.length, 2);
        // The master never got batch 1, and meanwhile gold changed.
        const second = await welcome(master, masterProfile({ displayName: "Alice", gold: 9 }), 0);
        assert.equal(master.last.sent("Hello")[0]!.instanceId, client.instanceId, "the same instance id");
        assert.deepEqual(second.sent("ClientUpdate").map((u) => u.seq), [1], "batch 1 again, the same seq");
        assert.equal(profile.getInt("gold"), 9, "the listeners saw what changed while disconnected");
        assert.equal(profile.getString("displayName"), "Carol", "the unsent write stays");
        clock.advance(100);
        assert.deepEqual(second.sent("ClientUpdate").map((u) => u.seq), [1, 2]);
        assert.deepEqual(states, ["disconnected", "connecting", "loading", "ready"]);
        assert.equal(reloads, 1);
    });

test("a batch the master applied before the drop, not yet durable, is sent again with its number", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    const first = await welcome(master, masterProfile());
    await loading;
    client.set("displayName", "Bob");
    clock.advance(100);
    first.drop();
    clock.advance(300);
    const second = await welcome(master, masterProfile({ displayName: "Bob" }), 1);
    // Applied (the snapshot holds it) but never said durable: kept and sent again; the master skips it.
    assert.deepEqual(second.sent("ClientUpdate").map((m) => m.seq), [1]);
    assert.equal(client.pendingBatches, 0);
    assert.equal(client.profile.getString("displayName"), "Bob");
});

test("the backoff doubles to 5 s with jitter while the master is away, and resets after a welcome", async () => {
    const { master, client, clock } = setup();
    master.accepting = false;
    void client.connect().catch(() => { });
    const times: number[] = [];
    master.onConnection = () => { };
    const started = master.connections.length;
    for (let i = 0; i < 8; i++) {
        await flush();
        times.push(clock.now);
        clock.advance(backoffDelayMs({ initialMs: 200, maxMs: 5000, jitter: 0.2 }, i, 0.5));
    }
    assert.equal(master.connections.length - started, 8);
    assert.deepEqual(times.slice(1).map((t, i) => t - times[i]!), [200, 400, 800, 1600, 3200, 5000, 5000]);
    assert.equal(backoffDelayMs({ initialMs: 200, maxMs: 5000, jitter: 0.2 }, 0, 0), 160);
    assert.equal(backoffDelayMs({ initialMs: 200, maxMs: 5000, jitter: 0.2 }, 0, 0.999999), 240);
});

test("a master that never welcomes is left after the connect timeout", async () => {
    const { master, client, clock } = setup();
    void client.connect();
    await flush();
    assert.equal(master.connections.length, 1);
    clock.advance(5000);
    assert.equal(client.state, "disconnected");
    clock.advance(200);
    assert.equal(master.connections.length, 2);
});

test("a malformed push drops the connection and the copy is reloaded, untouched meanwhile", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile({ gold: 3 }));
    await loading;
    c.send({ type: "ClientPush", ackSeq: 0, durableSeq: 0, delta: Uint8Array.of(1, 9, 0), refusals: [] });
    assert.equal(c.open, false);
    assert.equal(client.profile.getInt("gold"), 3);
    clock.advance(200);
    await welcome(master, masterProfile({ gold: 4 }));
    assert.equal(client.profile.getInt("gold"), 4);
    c.sendRaw(Uint8Array.of(0x5a, 0));
    assert.equal(client.state, "ready", "bytes from a closed connection are ignored");
});

test("a master back with another schema stops the client (its profile cannot read the layout)", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile());
    await loading;
    c.drop();
    clock.advance(200);
    await flush();
    master.last.send({ type: "Welcome", userId: "alice", schemaJson: '{"properties":[{"name":"gold","type":"long"}]}',
        maxUpdateSize: 100 });
    assert.equal(client.state, "failed");
});

test("flush sends the write at once, asks the master to save, and resolves only on the durable acknowledgement",
    async () => {
        const { master, client, clock } = setup();
        assert.equal(await client.flush(), undefined, "nothing loaded: nothing written");
        const loading = client.connect();
        const first = await welcome(master, masterProfile());
        await loading;
        client.set("displayName", "Bob");
        let done = false;
        const flushed = client.flush().then(() => { done = true; });
        assert.deepEqual(first.sent("ClientUpdate").map((u) => u.seq), [1], "sent without waiting for the tick");
        assert.deepEqual(first.sent("Flush").map((f) => f.seq), [1]);
        first.send({ type: "ClientPush", ackSeq: 1, durableSeq: 0, delta: new Uint8Array(0), refusals: [] });
        await flush();
        assert.equal(done, false, "applied is not durable");

        // The master goes before saving: the flush stays pending and asks the next one after the resend.
        first.drop();
        clock.advance(300);
        const second = await welcome(master, masterProfile({ displayName: "Bob" }), 1);
        assert.deepEqual(second.sent("ClientUpdate").map((u) => u.seq), [1]);
        assert.deepEqual(second.sent("Flush").map((f) => f.seq), [1]);
        second.send({ type: "ClientPush", ackSeq: 1, durableSeq: 1, delta: new Uint8Array(0), refusals: [] });
        await flushed;
        assert.equal(done, true);

        client.set("displayName", "Carol");
        const cut = client.flush();
        client.close();
        await assert.rejects(cut, NotDurableError);
        await assert.rejects(client.flush(), NotDurableError);
    });

test("each ClientUpdate says its base (pushes with a delta applied, the snapshot counting 1) and its overlay; "
    + "a resend after a reconnection says none", async () => {
    const { master, client, clock } = setup();
    const loading = client.connect();
    const c = await welcome(master, masterProfile());
    await loading;
    client.set("displayName", "A");
    clock.advance(100);
    client.set("displayName", "B");
    clock.advance(100);
    // An empty push is not counted; one with a delta is.
    c.send({ type: "ClientPush", ackSeq: 0, durableSeq: 0, delta: new Uint8Array(0), refusals: [] });
    const gold = masterProfile();
    gold.set("gold", 5);
    c.send({ type: "ClientPush", ackSeq: 1, durableSeq: 0, delta: gold.getUpdates(), refusals: [] });
    client.set("displayName", "C");
    clock.advance(100);
    assert.deepEqual(c.sent("ClientUpdate").map((u) => [u.seq, u.base, u.overlay]), [[1, 1, 0], [2, 1, 1], [3, 2, 1]]);
    c.drop();
    clock.advance(300);
    const second = await welcome(master, masterProfile({ displayName: "A", gold: 5 }), 1);
    assert.deepEqual(second.sent("ClientUpdate").map((u) => [u.seq, u.base, u.overlay]), [[1, 0, 0], [2, 0, 0],
        [3, 0, 0]], "sent again without a base");
    client.set("displayName", "D");
    clock.advance(100);
    assert.deepEqual(second.sent("ClientUpdate").slice(3).map((u) => [u.seq, u.base, u.overlay]), [[4, 1, 2]],
        "push 1 is the new snapshot; laid over batches 2 and 3");
});

test("an unsent remove by index is set apart before a push that inserts at 0, and goes first with its base",
    async () => {
        const { master, client } = setup();
        const loading = client.connect();
        const snapshot = masterProfile();
        snapshot.listAdd("items", "a");
        snapshot.listAdd("items", "b");
        snapshot.clearUpdates();
        const c = await welcome(master, snapshot);
        const profile = await loading;
        profile.listRemove("items", 1);
        const push = masterProfile();
        push.listInsert("items", 0, "z");
        c.send({ type: "ClientPush", ackSeq: 0, durableSeq: 0, delta: push.getUpdates(), refusals: [] });
        assert.deepEqual(profile.getList("items"), ["z", "a"], "the remove laid over the new list by identity: "
            + "it still removes \"b\"");
        profile.listAdd("items", "c");
        const flushed = client.flush();
        const updates = c.sent("ClientUpdate");
        assert.deepEqual(updates.map((u) => [u.seq, u.base, u.overlay]), [[1, 1, 0], [2, 2, 1]]);
        const remove = snapshot.copy();
        remove.listRemove("items", 1);
        assert.equal(toHex(updates[0]!.delta), toHex(remove.getUpdates()), "the remove, as made on push 1");
        assert.deepEqual(c.sent("Flush").map((f) => f.seq), [2], "the flush waits for both");
        assert.equal(client.pendingBatches, 2);
        // The master rebases the remove onto its list (removing "b"), appends "c", and makes both durable.
        const applied = masterProfile();
        applied.listReplace("items", ["z", "a", "c"]);
        c.send({ type: "ClientPush", ackSeq: 2, durableSeq: 2, delta: applied.getUpdates(), refusals: [] });
        await flushed;
        assert.deepEqual(profile.getList("items"), ["z", "a", "c"]);
        assert.equal(client.pendingBatches, 0);
    });

test("the snapshot's push number is the base of the batches made on it, on the first load and after a reconnection",
    async () => {
        const { master, client, clock } = setup();
        const loading = client.connect();
        const c = await welcome(master, masterProfile(), 0, 3);
        await loading;
        client.set("displayName", "A");
        clock.advance(100);
        assert.deepEqual(c.sent("ClientUpdate").map((u) => [u.seq, u.base, u.overlay]), [[1, 3, 0]]);
        c.drop();
        clock.advance(300);
        const second = await welcome(master, masterProfile({ displayName: "A" }), 1, 7);
        client.set("displayName", "B");
        clock.advance(100);
        assert.deepEqual(second.sent("ClientUpdate").map((u) => [u.seq, u.base, u.overlay]), [[1, 3, 0], [2, 7, 0]],
            "batch 1 sent again with its base (the same master's numbering goes on: 7 > 3); batch 2 made on push 7");
    });
