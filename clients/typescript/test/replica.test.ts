/**
 * The copy's bases (protocol 6), as profiles-core's ReplicaTest: the push counter, the overlay of each batch, and the
 * unsent list edits by index set apart before a push changes the view under them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { toHex } from "../src/codec/bytes.js";
import { Profile } from "../src/profile.js";
import { Replica } from "../src/replica.js";
import { parseSchema } from "../src/schema.js";

const SCHEMA = parseSchema(JSON.stringify({ properties: [
    { name: "gold", type: "int" },
    { name: "items", type: "list<string>" },
    { name: "counters", type: "dict<string,int>" },
] }));

function newProfile(): Profile {
    return new Profile(SCHEMA);
}

/** The master's copy, holding items [a, b], its record cleared; and a replica of it. */
function masterAndReplica(): { master: Profile; replica: Replica } {
    const master = newProfile();
    master.listAdd("items", "a");
    master.listAdd("items", "b");
    master.clearUpdates();
    return { master, replica: new Replica(newProfile(), master.toBytes()) };
}

/** The master's changes since the last call, as a push carries them. */
function changes(master: Profile): Uint8Array {
    const delta = master.getUpdates();
    master.clearUpdates();
    return delta;
}

test("the push counter: 1 for the snapshot, +1 per push with a delta, 1 again after a snapshot", () => {
    const { master, replica } = masterAndReplica();
    assert.equal(replica.pushes, 1);
    replica.onPush(null, 0);
    assert.equal(replica.pushes, 1, "a push without a delta is not counted");
    master.set("gold", 5);
    replica.onPush(changes(master), 0);
    master.set("gold", 6);
    replica.onPush(changes(master), 0);
    assert.equal(replica.pushes, 3);
    replica.onSnapshot(master.toBytes(), 0);
    assert.equal(replica.pushes, 1);
});

test("a batch's base is the current push, its overlay counts its own batches not yet applied", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listAdd("items", "c");
    assert.deepEqual(pick(replica.takeChanges(1)), { seq: 1, base: 1, overlay: 0 }, "nothing pending: no overlay");
    replica.visible.listAdd("items", "d");
    assert.deepEqual(pick(replica.takeChanges(2)), { seq: 2, base: 1, overlay: 1 }, "laid over batch 1");
    // The master applies batch 1 (and tells it in a push with its delta).
    master.listAdd("items", "c");
    replica.onPush(changes(master), 1);
    replica.visible.set("gold", 1);
    assert.deepEqual(pick(replica.takeChanges(3)), { seq: 3, base: 2, overlay: 1 }, "laid over batch 2 only");
    replica.onPush(null, 3);
    replica.visible.set("gold", 2);
    assert.deepEqual(pick(replica.takeChanges(4)), { seq: 4, base: 2, overlay: 0 }, "every earlier one applied");
    assert.equal(replica.takeChanges(5), null);
});

test("an unsent remove by index is set apart with its base before a push that inserts at 0", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listRemove("items", 1);
    replica.visible.dictPut("counters", "kills", 3);
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0);
    // Made on push 1 (the snapshot), so the master reads index 1 as "b" there; laid over the new view meanwhile,
    // by identity, it still removes "b" (at index 2 now), as the master will.
    const queued = replica.nextQueued();
    assert.ok(queued);
    assert.deepEqual(queued.base, { push: 1, overlayFrom: 0 });
    assert.equal(replica.pushes, 2);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a"]);
    assert.deepEqual([...replica.visible.getDictionary("counters")], [["kills", 3]]);
    assert.equal(replica.visible.hasUpdates(), false, "the whole unsent record went");
    assert.equal(replica.hasUnsentChanges, true, "the changes set apart are still unsent");
    assert.equal(replica.settled, false);
    const expected = newProfile();
    expected.listAdd("items", "a");
    expected.listAdd("items", "b");
    expected.clearUpdates();
    expected.listRemove("items", 1);
    expected.dictPut("counters", "kills", 3);
    const batch = replica.takeQueued(1)!;
    assert.deepEqual(pick(batch), { seq: 1, base: 1, overlay: 0 }, "nothing was laid over it");
    assert.equal(toHex(batch.delta), toHex(expected.getUpdates()), "the whole unsent record, as one delta");
    assert.equal(replica.nextQueued(), null);
    assert.equal(replica.takeChanges(2), null);
    assert.equal(replica.hasUnsentChanges, false);
    assert.equal(replica.pendingBatches, 1, "pending like any other batch");
    // The master rebases it (removes "b") and acknowledges it.
    master.listRemove("items", 2);
    replica.onPush(changes(master), 1, 0);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a"]);
    assert.equal(replica.settled, false, "not durable yet");
    replica.onPush(null, 1, 1);
    assert.equal(replica.settled, true);
});

test("set apart, an edit that no longer fits the new view is left out alone; the rest shows and is sent", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listRemove("items", 1);
    replica.visible.dictPut("counters", "kills", 3);
    master.listClear("items");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), []);
    assert.deepEqual([...replica.visible.getDictionary("counters")], [["kills", 3]], "kept, still to be sent");
    const sent = newProfile();
    sent.applyUpdates(replica.nextQueued()!.delta, { keepWhatFits: true });
    assert.deepEqual([...sent.getDictionary("counters")], [["kills", 3]]);
    assert.throws(() => newProfile().applyUpdates(replica.nextQueued()!.delta), /out of range/,
        "without keepWhatFits the index is malformed");
});

test("only list edits by index are set apart, and only when the view changes under them", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listAdd("items", "c");
    replica.visible.dictPut("counters", "kills", 1);
    master.set("gold", 5);
    replica.onPush(changes(master), 0);
    assert.equal(replica.nextQueued(), null, "an append and a put name no index");
    assert.deepEqual(replica.visible.getList("items"), ["a", "b", "c"]);
    replica.visible.listSet("items", 0, "A");
    replica.onPush(null, 0);
    assert.equal(replica.nextQueued(), null, "a push that changes nothing leaves the view as it is");
    master.set("gold", 6);
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.nextQueued()?.base, { push: 2, overlayFrom: 0 });
});

test("a push that only acknowledges a batch laid over sets the edits apart too", () => {
    const { replica } = masterAndReplica();
    replica.visible.set("gold", 9);
    replica.takeChanges(1);
    replica.visible.listInsert("items", 0, "x");
    replica.onPush(null, 0);
    assert.equal(replica.nextQueued(), null, "nothing acknowledged, nothing changed");
    replica.onPush(null, 1);
    assert.deepEqual(replica.nextQueued()?.base, { push: 1, overlayFrom: 1 });
    assert.deepEqual(replica.visible.getList("items"), ["x", "a", "b"]);
    assert.deepEqual(pick(replica.takeQueued(2)), { seq: 2, base: 1, overlay: 1 }, "made over batch 1");
});

test("the overlay of changes set apart: from the batch pending then, else the one set apart before it", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listRemove("items", 0); // A: nothing pending
    master.set("gold", 1);
    replica.onPush(changes(master), 0);
    replica.visible.listSet("items", 0, "B"); // B: A set apart, not yet numbered
    master.set("gold", 2);
    replica.onPush(changes(master), 0);
    replica.visible.listAdd("items", "c"); // ordinary, made while A and B are laid over
    assert.deepEqual(replica.nextQueued()?.base, { push: 1, overlayFrom: 0 });
    assert.deepEqual(pick(replica.takeQueued(1)), { seq: 1, base: 1, overlay: 0 });
    assert.deepEqual(replica.nextQueued()?.base, { push: 2, overlayFrom: 1 }, "laid over A");
    assert.deepEqual(pick(replica.takeQueued(2)), { seq: 2, base: 2, overlay: 1 }, "A was numbered since");
    assert.deepEqual(pick(replica.takeChanges(3)), { seq: 3, base: 3, overlay: 2 });
    assert.deepEqual(replica.visible.getList("items"), ["B", "c"]);
});

test("after a snapshot the changes set apart name no base", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listRemove("items", 1);
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0);
    replica.onSnapshot(master.toBytes(), 0);
    assert.deepEqual(replica.nextQueued()?.base, { push: 0, overlayFrom: 0 });
    assert.deepEqual(replica.visible.getList("items"), ["z", "b"]);
    assert.deepEqual(pick(replica.takeQueued(1)), { seq: 1, base: 0, overlay: 0 });
});

test("a pending batch that no longer fits is laid over for what fits", () => {
    const { master, replica } = masterAndReplica();
    replica.visible.listSet("items", 1, "B");
    replica.visible.set("gold", 7);
    replica.takeChanges(1);
    master.listClear("items");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), []);
    assert.equal(replica.visible.getInt("gold"), 7, "the batch's other change still shows");
});

function pick(batch: { seq: number; base: number; overlay: number } | null): object | null {
    return batch === null ? null : { seq: batch.seq, base: batch.base, overlay: batch.overlay };
}

// ---------------------------------------------------------------- list identities (profiles-core's ListViews)

/** A replica of a master holding items {@code items}, its record cleared. */
function replicaOf(items: string[]): { master: Profile; replica: Replica } {
    const master = newProfile();
    for (const item of items) {
        master.listAdd("items", item);
    }
    master.clearUpdates();
    return { master, replica: new Replica(newProfile(), master.toBytes()) };
}

test("a pending remove of an element the master removed meanwhile is dropped alone; the rest of its batch stays",
    () => {
        const { master, replica } = replicaOf(["a", "b", "c"]);
        replica.visible.listRemove("items", 1); // "b"
        replica.visible.listSet("items", 0, "A"); // "a", in the view without "b"
        replica.visible.dictPut("counters", "kills", 3);
        replica.visible.set("gold", 7);
        replica.takeChanges(1);
        // Meanwhile the master removed "b" itself and inserted "z" at the front: [z, a, c].
        master.listRemove("items", 1);
        master.listInsert("items", 0, "z");
        replica.onPush(changes(master), 0);
        // At its index the remove would take "a" (index 1 of [z, a, c]); by identity it names "b", gone: dropped
        // alone. The set still names "a", now at index 1.
        assert.deepEqual(replica.visible.getList("items"), ["z", "A", "c"]);
        assert.deepEqual([...replica.visible.getDictionary("counters")], [["kills", 3]], "the batch's entry stays");
        assert.equal(replica.visible.getInt("gold"), 7, "the batch's scalar stays");
        assert.equal(replica.visible.hasUpdates(), false, "nothing new to send");
        // The master applies the batch as it moved it: the copy is the master's.
        master.listSet("items", 1, "A");
        master.dictPut("counters", "kills", 3);
        master.set("gold", 7);
        replica.onPush(changes(master), 1);
        assert.deepEqual(replica.visible.getList("items"), ["z", "A", "c"]);
    });

test("pending sets, removes and inserts follow their elements through the master's newer pushes", () => {
    const { master, replica } = replicaOf(["a", "b", "c"]);
    replica.visible.listSet("items", 1, "B"); // "b"
    replica.visible.listRemove("items", 2); // "c"
    replica.visible.listInsert("items", 1, "x"); // just after "a"
    replica.takeChanges(1);
    assert.deepEqual(replica.visible.getList("items"), ["a", "x", "B"]);
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a", "x", "B"]);
    // The master removes "a": the insert, made just after it, lands after the nearest element before it that the
    // master still holds (none: at the start).
    master.listRemove("items", 1);
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["x", "z", "B"]);
});

test("a later batch's edits name the elements an earlier pending batch created", () => {
    const { master, replica } = replicaOf(["a", "b"]);
    replica.visible.listInsert("items", 0, "x");
    replica.takeChanges(1);
    replica.visible.listRemove("items", 0); // "x", made by batch 1
    replica.visible.listAdd("items", "y");
    replica.takeChanges(2);
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a", "b", "y"]);
    // Laid over again on every push, with the same identities for what they create.
    master.set("gold", 1);
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a", "b", "y"]);
});

test("unsent edits made after an in-sync push name the elements of the list it left; each set apart in turn", () => {
    const { master, replica } = replicaOf(["a", "b", "c"]);
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0); // in sync: visible is confirmed, [z, a, b, c]
    replica.visible.listRemove("items", 1); // "a"
    master.listInsert("items", 0, "y");
    replica.onPush(changes(master), 0); // set apart, made on push 2
    assert.deepEqual(replica.visible.getList("items"), ["y", "z", "b", "c"]);
    replica.visible.listRemove("items", 3); // "c", in the view the first set-apart edit left
    master.listInsert("items", 0, "w");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["w", "y", "z", "b"]);
    assert.deepEqual(replica.nextQueued()?.base.push, 2);
    replica.takeQueued(1);
    assert.deepEqual(replica.nextQueued()?.base.push, 3);
});

test("the snapshot's push number is adopted (at least 1), at construction and on every later snapshot", () => {
    const master = newProfile();
    assert.equal(new Replica(newProfile(), master.toBytes(), 5).pushes, 5);
    assert.equal(new Replica(newProfile(), master.toBytes(), 0).pushes, 1, "0: not said, the snapshot is 1");
    const replica = new Replica(newProfile(), master.toBytes(), 3);
    replica.visible.set("gold", 1);
    assert.deepEqual(pick(replica.takeChanges(1)), { seq: 1, base: 3, overlay: 0 });
    master.set("gold", 2);
    replica.onPush(changes(master), 1);
    assert.equal(replica.pushes, 4);
    replica.onSnapshot(master.toBytes(), 1, 9);
    assert.equal(replica.pushes, 9);
    replica.visible.set("gold", 3);
    assert.deepEqual(pick(replica.takeChanges(2)), { seq: 2, base: 9, overlay: 0 });
    replica.onSnapshot(master.toBytes(), 2);
    assert.equal(replica.pushes, 1);
});

test("after a snapshot the pending and set-apart edits are laid at their own indices, from then on", () => {
    const { master, replica } = replicaOf(["a", "b", "c"]);
    replica.visible.listRemove("items", 1); // "b"
    replica.takeChanges(1);
    replica.visible.listRemove("items", 1); // "c", unsent
    master.listInsert("items", 0, "z");
    replica.onPush(changes(master), 0); // the unsent remove is set apart
    assert.deepEqual(replica.visible.getList("items"), ["z", "a"], "by identity: b and c removed");
    // A new master's snapshot of [z, a, b, c], holding neither: both laid at their indices, as it will take them.
    replica.onSnapshot(master.toBytes(), 0, 1);
    assert.deepEqual(replica.visible.getList("items"), ["z", "c"], "index 1 twice: a then b");
    // Still at their indices after a later push.
    master.listInsert("items", 0, "y");
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["y", "b", "c"]);
    // One beyond the list at its index is dropped alone.
    master.listClear("items");
    master.listAdd("items", "q");
    master.set("gold", 4);
    replica.onPush(changes(master), 0);
    assert.deepEqual(replica.visible.getList("items"), ["q"]);
    assert.equal(replica.visible.getInt("gold"), 4);
    // Edits made after the snapshot are laid by identity again (the master has applied the others meanwhile).
    replica.takeQueued(2);
    replica.onPush(null, 2, 2);
    assert.equal(replica.pendingBatches, 0);
    replica.visible.listRemove("items", 0); // "q"
    replica.takeChanges(3);
    master.listInsert("items", 0, "p");
    replica.onPush(changes(master), 2);
    assert.deepEqual(replica.visible.getList("items"), ["p"], "at its index it would remove p");
});

test("an element the copy created keeps its identity once the master acknowledges it, so a pending remove still finds it", () => {
    const { master, replica } = replicaOf(["a"]);
    replica.visible.listAdd("items", "x"); // batch 1 creates "x"
    replica.takeChanges(1);
    replica.visible.listRemove("items", 1); // batch 2 removes "x", before batch 1 is acknowledged
    replica.takeChanges(2);
    // The master applied batch 1 (and another writer inserted "z" first); batch 2 not yet.
    master.listInsert("items", 0, "z");
    master.listAdd("items", "x");
    replica.onPush(changes(master), 1);
    assert.deepEqual(replica.visible.getList("items"), ["z", "a"]);
});
