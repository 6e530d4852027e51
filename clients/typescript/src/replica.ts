/**
 * The client's copy of its profile, kept convergent with the master's exactly as profiles-core's Replica
 * (docs/protocol.md, "Convergence"): confirmed (the master's state as of the last push), the batches sent and not
 * yet durable, and visible = confirmed + the batches not yet applied + unsent local changes, which the game reads and
 * changes. A batch the master applied (ackSeq) leaves visible's overlay, since confirmed holds it; it is kept, to send
 * again to the next master, until the master says it is durable (durableSeq).
 */
import { ProfileFormatError } from "./codec/bytes.js";
import { Profile } from "./profile.js";

interface PendingBatch {
    readonly seq: number;
    readonly delta: Uint8Array;
    /** The master said it is in its state (so in confirmed, not laid over it again). */
    applied: boolean;
}

export class Replica {
    readonly confirmed: Profile;
    private pending: PendingBatch[] = [];

    /** Starts from the master's whole profile; {@code visible} is the profile the game uses. */
    constructor(readonly visible: Profile, snapshot: Uint8Array) {
        visible.fromBytes(snapshot);
        this.confirmed = visible.copy();
    }

    /** Batches sent that the master has not applied yet. */
    get pendingBatches(): number {
        return this.pending.filter((batch) => !batch.applied).length;
    }

    /** Batches sent that the master has not said are durable yet (applied or not): kept to send again. */
    get notDurableBatches(): number {
        return this.pending.length;
    }

    /** The number of the newest batch not yet durable, or 0 when none waits. */
    get lastPendingSeq(): number {
        return this.pending.length === 0 ? 0 : this.pending[this.pending.length - 1]!.seq;
    }

    /** Takes the changes made since the last call as batch {@code seq}; null when nothing changed. */
    takeChanges(seq: number): Uint8Array | null {
        if (!this.visible.hasUpdates()) {
            return null;
        }
        const delta = this.visible.getUpdates();
        this.visible.clearUpdates();
        this.pending.push({ seq, delta, applied: false });
        return delta;
    }

    /** Drops the unsent changes: visible returns to confirmed + pending (a batch too large to send). */
    discardUnsent(): void {
        this.visible.clearUpdates();
        this.rebuild();
    }

    /** Each batch not yet durable, oldest first: to send again after a reconnection. */
    unacknowledged(): readonly PendingBatch[] {
        return [...this.pending];
    }

    /**
     * The master's push: its delta (null: nothing changed), that batches up to {@code ackSeq} are applied (in it),
     * and that batches up to {@code durableSeq} are committed to its database (forgotten here; the rest are kept).
     */
    onPush(delta: Uint8Array | null, ackSeq: number, durableSeq: number = ackSeq): void {
        const inSync = this.pendingBatches === 0 && !this.visible.hasUpdates();
        if (delta !== null) {
            this.confirmed.applyUpdates(delta);
        }
        const dropped = this.markApplied(ackSeq);
        this.drop(durableSeq);
        if (inSync) {
            if (delta !== null) {
                this.visible.applyUpdates(delta);
            }
        } else if (delta !== null || dropped) {
            this.rebuild();
        }
    }

    /**
     * A whole profile after a reconnection: it holds exactly the batches up to lastAppliedSeq; any later one is not
     * applied (a master restarted from its database may hold fewer than the one before said) and is laid over again.
     */
    onSnapshot(snapshot: Uint8Array, lastAppliedSeq: number): void {
        this.confirmed.fromBytes(snapshot);
        for (const batch of this.pending) {
            batch.applied = batch.seq <= lastAppliedSeq;
        }
        this.rebuild();
    }

    private markApplied(ackSeq: number): boolean {
        let changed = false;
        for (const batch of this.pending) {
            if (!batch.applied && batch.seq <= ackSeq) {
                batch.applied = true;
                changed = true;
            }
        }
        return changed;
    }

    private drop(durableSeq: number): void {
        this.pending = this.pending.filter((batch) => batch.seq > durableSeq);
    }

    private rebuild(): void {
        const target = this.confirmed.copy();
        for (const batch of this.pending) {
            if (batch.applied) {
                continue; // in confirmed already
            }
            try {
                target.applyUpdates(batch.delta);
            } catch (e) {
                // The batch no longer fits the master's newer state; its acknowledgement will bring the truth.
                if (!(e instanceof ProfileFormatError)) {
                    throw e;
                }
            }
        }
        // A scalar set locally and not yet sent keeps its value (the unsent change overwrites the master's);
        // every other property is loaded from the target, firing the listeners of those that differ, and the
        // unsent operations of collections and unsent increments are applied again as local changes, still to be
        // sent.
        const visible = this.visible;
        const keep = new Set(visible.names().filter((name) => {
            const kind = visible.definition(name).kind;
            return visible.isDirty(name) && kind !== "list" && kind !== "dict"
                && visible.recordedIncrement(name) === null;
        }));
        const rest = (d: { name: string }) => !keep.has(d.name);
        const unsent = visible.hasUpdates() ? visible.getUpdates(rest) : null;
        visible.loadFrom(target, rest);
        if (unsent !== null && unsent.length > 1) {
            try {
                visible.applyUpdates(unsent, { recordAsLocal: true });
            } catch (e) {
                if (!(e instanceof ProfileFormatError)) {
                    throw e;
                }
            }
        }
    }
}
