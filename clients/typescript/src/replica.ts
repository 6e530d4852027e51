/**
 * The client's copy of its profile, kept convergent with the master's exactly as profiles-core's Replica
 * (docs/protocol.md, "Convergence"): confirmed (the master's state as of the last push), the batches sent and not
 * yet durable, and visible = confirmed + the batches not yet applied + unsent local changes, which the game reads and
 * changes. A batch the master applied (ackSeq) leaves visible's overlay, since confirmed holds it; it is kept, to send
 * again to the next master, until the master says it is durable (durableSeq).
 *
 * Each batch says where the copy stood when its changes were made (its base: the number of pushes applied, the
 * snapshot counting as 1, and how many of its own earlier batches were laid over that view), so the master moves list
 * indices from that view onto its own list (protocol 6). Unsent list edits by index are set apart, with their base,
 * before a push changes the view under them, to go in a batch of their own. The batches not yet applied are laid over
 * the master's newer state by the identities of the list elements their edits were made on ({@link ListViews}), as
 * the master moves them; after a snapshot (a whole new state) at their own indices, as the master then takes them.
 */
import { ProfileFormatError } from "./codec/bytes.js";
import { ListViews, type ListEdits } from "./list-views.js";
import { Profile } from "./profile.js";

interface PendingBatch {
    readonly seq: number;
    readonly delta: Uint8Array;
    /** The push its copy stood on when it was made (0: unknown, after a renumbering), and its overlay: sent again. */
    basePush: number;
    readonly overlay: number;
    /** The master said it is in its state (so in confirmed, not laid over it again). */
    applied: boolean;
    /** Its list edits and the views they were made on, to lay it over newer states; null when none. */
    edits: ListEdits;
}

/**
 * Where the copy stood when changes were made: push number {@code push} (1: the snapshot; 0: unknown, as after a
 * renumbering) and the first of its batches laid over it ({@code overlayFrom}; 0: none yet, then the first change set
 * apart before it, once numbered), so the master can tell which view a list index pointed into.
 */
export interface Base {
    readonly push: number;
    readonly overlayFrom: number;
}

const UNKNOWN_BASE: Base = Object.freeze({ push: 0, overlayFrom: 0 });

/** Unsent changes set apart for a batch of their own (list edits by index made before the view changed). */
export interface Queued {
    readonly delta: Uint8Array;
    readonly base: Base;
    /** Its list edits and the views they were made on (see {@link ListViews}); null when none. */
    readonly edits: ListEdits;
}

/** A batch to send: its number, its base push (0: none said) and overlay (0 without a base), its delta. */
export interface OutgoingBatch {
    readonly seq: number;
    readonly base: number;
    readonly overlay: number;
    readonly delta: Uint8Array;
}

/** Applies every change that fits, and leaves out alone, silently, one that no longer does. */
const KEEP_WHAT_FITS = { keepWhatFits: true } as const;

export class Replica {
    readonly confirmed: Profile;
    private pending: PendingBatch[] = [];
    private queued: Queued[] = [];
    /** The number of pushes of this copy applied since its snapshot, counting the snapshot as 1. */
    private pushCount = 1;
    /** The identities of its lists' elements, so batches not yet acknowledged are laid over newer states by them. */
    private readonly lists = new ListViews();

    /**
     * Starts from the master's whole profile, push number {@code push} of this copy (as its ProfileSnapshot says; at
     * least 1); {@code visible} is the profile the game uses.
     */
    constructor(readonly visible: Profile, snapshot: Uint8Array, push = 1) {
        visible.fromBytes(snapshot);
        this.confirmed = visible.copy();
        this.pushCount = Math.max(1, push);
        this.lists.reset(this.confirmed);
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

    /** The number of the last push of this copy applied (1: the snapshot). */
    get pushes(): number {
        return this.pushCount;
    }

    /** Whether the game changed the copy since its changes last went in a batch (set apart ones included). */
    get hasUnsentChanges(): boolean {
        return this.visible.hasUpdates() || this.queued.length > 0;
    }

    /** Whether nothing is unsent and nothing not yet durable. */
    get settled(): boolean {
        return this.pending.length === 0 && this.queued.length === 0 && !this.visible.hasUpdates();
    }

    /** Where the copy stands now, for changes made now (see {@link Base}). */
    base(): Base {
        return { push: this.pushCount, overlayFrom: this.firstUnappliedSeq() };
    }

    /**
     * For the unsent changes about to go as batch {@code seq}: how many of this copy's batches before it they were
     * made over (sent and not yet applied by the master, so laid over its state): {@code seq} minus the first of
     * them, or 0.
     */
    overlay(seq: number): number {
        const from = this.firstUnappliedSeq();
        return from === 0 ? 0 : seq - from;
    }

    /** The oldest changes set apart and not yet numbered, or null. */
    nextQueued(): Queued | null {
        return this.queued[0] ?? null;
    }

    /** Takes {@link nextQueued} as batch {@code seq}, kept until durable as any batch is; null when none is queued. */
    takeQueued(seq: number): OutgoingBatch | null {
        const next = this.queued.shift();
        if (next === undefined) {
            return null;
        }
        const from = next.base.overlayFrom === 0 ? seq : next.base.overlayFrom;
        // The changes set apart after it were made over it: those made when nothing was pending are laid over from
        // this batch on (it may be durable and gone by the time they are numbered). As in profiles-core's Replica.
        this.queued = this.queued.map((one) => one.base.overlayFrom !== 0 || one.base.push === 0 ? one
            : { ...one, base: { ...one.base, overlayFrom: seq } });
        const base = next.base.push;
        const overlay = base > 0 ? seq - from : 0;
        this.pending.push({ seq, delta: next.delta, applied: false, edits: next.edits, basePush: base, overlay });
        return { seq, base, overlay, delta: next.delta };
    }

    /** Forgets the oldest changes set apart (too large to send): visible returns to what is still laid over. */
    dropQueued(): void {
        this.queued.shift();
        this.rebuild();
    }

    /**
     * Takes the changes made since the last call (not those set apart: see {@link takeQueued}) as batch
     * {@code seq}; null when nothing changed. Its base is the current push and its overlay computed before it joins
     * the pending batches.
     */
    takeChanges(seq: number): OutgoingBatch | null {
        if (!this.visible.hasUpdates()) {
            return null;
        }
        const delta = this.visible.getUpdates();
        const batch = { seq, base: this.pushCount, overlay: this.overlay(seq), delta };
        const edits = this.lists.capture(this.visible);
        this.visible.clearUpdates();
        this.pending.push({ seq, delta, applied: false, edits, basePush: batch.base, overlay: batch.overlay });
        return batch;
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
        const inSync = !this.overlaid() && !this.visible.hasUpdates();
        const acknowledges = this.appliesAny(ackSeq);
        if (!inSync && (delta !== null || acknowledges)) {
            this.setApartIndexedEdits();
        }
        if (delta !== null) {
            this.lists.applyPush(this.confirmed, delta);
            this.pushCount++;
        }
        if (acknowledges) {
            // The elements the acknowledged batches created take back the identities the copy gave them.
            this.lists.acknowledged(this.pending.filter((batch) => !batch.applied && batch.seq <= ackSeq)
                .map((batch) => batch.edits), this.confirmed);
        }
        const dropped = this.markApplied(ackSeq);
        this.drop(durableSeq);
        if (inSync) {
            if (delta !== null) {
                this.visible.applyUpdates(delta);
                this.lists.visibleIsConfirmed();
            }
        } else if (delta !== null || dropped) {
            this.rebuild();
        }
    }

    /**
     * A whole profile after a reconnection, push number {@code push} of this copy (at least 1): it holds exactly the
     * batches up to lastAppliedSeq; any later one is not applied (a master restarted from its database may hold fewer
     * than the one before said) and is laid over again.
     */
    onSnapshot(snapshot: Uint8Array, lastAppliedSeq: number, push = 1): void {
        const renumbered = push <= this.pushCount;
        // Unsent edits by index were made on the view before the snapshot: set apart with the base they name.
        this.setApartIndexedEdits();
        const applied = this.pending.filter((batch) => !batch.applied && batch.seq <= lastAppliedSeq)
            .map((batch) => batch.edits);
        const before = this.confirmed.copy();
        this.confirmed.fromBytes(snapshot);
        this.pushCount = Math.max(1, push);
        if (renumbered) {
            // A new master, or the profile loaded again: it knows none of the pushes the bases name, and the whole
            // new state tells nothing of which element is which. The batches not yet applied are laid over it at
            // their indices from now on, and sent again without a base, so the master applies them at their
            // indices too.
            this.lists.reset(this.confirmed);
            for (const batch of this.pending) {
                batch.edits = ListViews.atTheirIndices(batch.edits);
                batch.basePush = 0;
            }
            this.queued = this.queued.map((one) => ({ delta: one.delta, base: UNKNOWN_BASE,
                edits: ListViews.atTheirIndices(one.edits) }));
        } else {
            // The same master, its numbering going on: it still knows the pushes the bases name, so the batches go
            // again with theirs. The elements keep their identities, found again by value.
            this.lists.snapshot(before, this.confirmed, applied);
        }
        for (const batch of this.pending) {
            batch.applied = batch.seq <= lastAppliedSeq;
        }
        this.rebuild();
    }

    /** The seq of the first pending batch the master has not applied yet, or 0 when none is. */
    private firstUnappliedSeq(): number {
        return this.pending.find((batch) => !batch.applied)?.seq ?? 0;
    }

    /** Whether a batch not yet applied by the master, or changes set apart, are laid over confirmed. */
    private overlaid(): boolean {
        return this.pendingBatches > 0 || this.queued.length > 0;
    }

    /** Whether {@code ackSeq} acknowledges a batch not yet applied. */
    private appliesAny(ackSeq: number): boolean {
        return this.pending.some((batch) => !batch.applied && batch.seq <= ackSeq);
    }

    /**
     * The view is about to change under unsent list edits that name an index: the whole unsent record is set apart,
     * with the base it was made on, to go in a batch of its own, so the master reads each index in the view it was
     * made in (laid over the new view, an index may point at another element until the master's answer).
     */
    private setApartIndexedEdits(): void {
        if (!this.visible.hasUpdates() || !this.visible.recordsIndexedEdits()) {
            return;
        }
        const made = this.base();
        this.queued.push({ delta: this.visible.getUpdates(), base: made, edits: this.lists.capture(this.visible) });
        this.visible.clearUpdates();
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
        const laid = this.lists.startLaying();
        for (const batch of this.pending) {
            if (batch.applied) {
                continue; // in confirmed already
            }
            try {
                // What of it no longer fits the master's newer state (an element removed meanwhile) is left out
                // alone: the master leaves it out too, and its acknowledgement brings the truth. List edits apply to
                // the elements they were made on, wherever those now are, as the master moves them.
                target.applyUpdates(batch.delta,
                    { ...KEEP_WHAT_FITS, rebase: this.lists.layingOver(batch.edits, laid) });
            } catch (e) {
                // The batch no longer fits the master's newer state; its acknowledgement will bring the truth.
                if (!(e instanceof ProfileFormatError)) {
                    throw e;
                }
            }
        }
        for (const one of this.queued) {
            try {
                // As a pending batch: the master reads it so.
                target.applyUpdates(one.delta, { ...KEEP_WHAT_FITS, rebase: this.lists.layingOver(one.edits, laid) });
            } catch (e) {
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
        this.lists.finishLaying(laid, target);
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
