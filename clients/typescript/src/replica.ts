/**
 * The client's copy of its profile, kept convergent with the master's exactly as profiles-core's Replica
 * (docs/protocol.md, "Convergence"): confirmed (the master's state as of the last push), the batches sent and not
 * yet acknowledged, and visible = confirmed + pending + unsent local changes, which the game reads and changes.
 */
import { ProfileFormatError } from "./codec/bytes.js";
import { Profile } from "./profile.js";

interface PendingBatch {
    readonly seq: number;
    readonly delta: Uint8Array;
}

export class Replica {
    readonly confirmed: Profile;
    private pending: PendingBatch[] = [];

    /** Starts from the master's whole profile; {@code visible} is the profile the game uses. */
    constructor(readonly visible: Profile, snapshot: Uint8Array) {
        visible.fromBytes(snapshot);
        this.confirmed = visible.copy();
    }

    get pendingBatches(): number {
        return this.pending.length;
    }

    /** Takes the changes made since the last call as batch {@code seq}; null when nothing changed. */
    takeChanges(seq: number): Uint8Array | null {
        if (!this.visible.hasUpdates()) {
            return null;
        }
        const delta = this.visible.getUpdates();
        this.visible.clearUpdates();
        this.pending.push({ seq, delta });
        return delta;
    }

    /** Drops the unsent changes: visible returns to confirmed + pending (a batch too large to send). */
    discardUnsent(): void {
        this.visible.clearUpdates();
        this.rebuild();
    }

    /** Each unacknowledged batch, oldest first: to send again after a reconnection. */
    unacknowledged(): readonly PendingBatch[] {
        return [...this.pending];
    }

    /** The master's push: its delta (null: nothing changed) and that batches up to {@code ackSeq} are in it. */
    onPush(delta: Uint8Array | null, ackSeq: number): void {
        const inSync = this.pending.length === 0 && !this.visible.hasUpdates();
        if (delta !== null) {
            this.confirmed.applyUpdates(delta);
        }
        const dropped = this.drop(ackSeq);
        if (inSync) {
            if (delta !== null) {
                this.visible.applyUpdates(delta);
            }
        } else if (delta !== null || dropped) {
            this.rebuild();
        }
    }

    /** A whole profile after a reconnection: confirmed takes it, batches up to lastAppliedSeq are dropped. */
    onSnapshot(snapshot: Uint8Array, lastAppliedSeq: number): void {
        this.confirmed.fromBytes(snapshot);
        this.drop(lastAppliedSeq);
        this.rebuild();
    }

    private drop(ackSeq: number): boolean {
        const before = this.pending.length;
        this.pending = this.pending.filter((batch) => batch.seq > ackSeq);
        return this.pending.length !== before;
    }

    private rebuild(): void {
        const target = this.confirmed.copy();
        for (const batch of this.pending) {
            try {
                target.applyUpdates(batch.delta);
            } catch (e) {
                // The batch no longer fits the master's newer state; its acknowledgement will bring the truth.
                if (!(e instanceof ProfileFormatError)) {
                    throw e;
                }
            }
        }
        // A scalar changed locally and not yet sent keeps its value (the unsent change overwrites the master's);
        // every other property is loaded from the target, firing the listeners of those that differ, and the
        // unsent operations of collections are applied again as local changes, still to be sent.
        const visible = this.visible;
        const keep = new Set(visible.names().filter((name) => {
            const kind = visible.definition(name).kind;
            return visible.isDirty(name) && kind !== "list" && kind !== "dict";
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
