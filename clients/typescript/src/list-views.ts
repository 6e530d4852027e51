/**
 * A {@link Replica}'s identities for the elements of its lists (local numbers, never sent), as profiles-core's
 * ListViews: those of the confirmed copy, followed through every push, and those of the view its unsent changes are
 * being made on. Each batch records the view its list edits were made on ({@link Edits}), so when the master's newer
 * state arrives the batches not yet acknowledged are laid over it by identity ({@link Mapping}), as the master itself
 * moves them: a pending remove still removes the element it was made on, wherever that element now is, and the copy
 * shows what the master will hold.
 */
import { applyAsMade, createdBy, Mapping, type Ids, type Made } from "./list-identity.js";
import { DROP, type ListRebase, type Profile } from "./profile.js";

/** A batch's edits of one list and the view (identities) they were made on; null view: laid at their indices. */
export interface Edits {
    readonly view: Ids | null;
    readonly ops: readonly Made[];
}

/** A batch's edits by list name, or null when it edited no list. */
export type ListEdits = ReadonlyMap<string, Edits> | null;

/** How a delta's lists are rebased: asked per list with its name and size (see ApplyOptions.rebase). */
export type Rebaser = (list: string, size: number) => ListRebase | null;

/** Whether two list elements are the same value (numbers, booleans and strings compare by value). */
function sameElement(a: unknown, b: unknown): boolean {
    return a === b || (typeof a === "number" && typeof b === "number" && Number.isNaN(a) && Number.isNaN(b));
}

function listNames(profile: Profile): string[] {
    return profile.names().filter((name) => profile.definition(name).kind === "list");
}

export class ListViews {
    private confirmed = new Map<string, Ids>();
    private visible = new Map<string, Ids>();
    private nextId = 1;

    /** The confirmed copy is a whole new state (a snapshot): fresh identities, and visible shows it. */
    reset(confirmedCopy: Profile): void {
        this.confirmed.clear();
        this.visible.clear();
        this.unlinked.clear();
        for (const name of listNames(confirmedCopy)) {
            const ids = this.fresh(confirmedCopy.getList(name).length);
            this.confirmed.set(name, ids);
            this.visible.set(name, [...ids]);
        }
    }

    /**
     * The confirmed copy is a whole new state from the same master ({@code before}: the state it replaced): each
     * element takes the identity of an equal one the copy had (in the state it replaced, or created by one of the
     * batches the snapshot holds, {@code applied}), in order, so batches made on the old view still find their
     * elements; the others get fresh identities. As profiles-core's ListViews.snapshot.
     */
    snapshot(before: Profile, confirmedCopy: Profile, applied: readonly ListEdits[]): void {
        const next = new Map<string, Ids>();
        for (const name of listNames(confirmedCopy)) {
            const poolValues: unknown[] = [];
            const poolIds: number[] = [];
            const old = this.confirmed.get(name);
            if (old !== undefined && before.has(name)) {
                const values = before.getList(name);
                for (let i = 0; i < old.length && i < values.length; i++) {
                    poolValues.push(values[i]);
                    poolIds.push(old[i]!);
                }
            }
            for (const batch of applied) {
                const edits = batch?.get(name);
                if (edits === undefined) {
                    continue;
                }
                for (const op of edits.ops) {
                    if (op.created !== null && op.values !== undefined) {
                        for (let k = 0; k < op.created.length; k++) {
                            poolValues.push(op.values[k]);
                            poolIds.push(op.created[k]!);
                        }
                    }
                }
            }
            const used = new Array<boolean>(poolIds.length).fill(false);
            const ids: Ids = [];
            for (const value of confirmedCopy.getList(name)) {
                let id = 0;
                for (let j = 0; j < poolIds.length; j++) {
                    if (!used[j] && sameElement(poolValues[j], value)) {
                        used[j] = true;
                        id = poolIds[j]!;
                        break;
                    }
                }
                ids.push(id !== 0 ? id : this.nextId++);
            }
            next.set(name, ids);
        }
        this.confirmed = next;
        this.visibleIsConfirmed();
        this.unlinked.clear();
    }

    /**
     * The edits the visible copy recorded since its last batch, with the view they were made on, by list (null when
     * none); the view moves on past them.
     */
    capture(visibleCopy: Profile): Map<string, Edits> | null {
        let edits: Map<string, Edits> | null = null;
        for (const name of listNames(visibleCopy)) {
            if (!visibleCopy.isDirty(name)) {
                continue;
            }
            const ops: Made[] = visibleCopy.recordedListOps(name).map((change) => ({
                kind: change.op,
                index: change.index,
                created: change.op === 1 || change.op === 2 ? [this.nextId++]
                    : change.op === 5 ? this.fresh(change.count) : null,
                values: change.values,
            }));
            let view = this.visible.get(name);
            if (view === undefined) {
                view = [];
                this.visible.set(name, view);
            }
            const before = [...view];
            applyAsMade(ops, view);
            edits ??= new Map();
            edits.set(name, { view: before, ops });
        }
        return edits;
    }

    private fresh(count: number): Ids {
        const ids: Ids = [];
        for (let i = 0; i < count; i++) {
            ids.push(this.nextId++);
        }
        return ids;
    }

    /**
     * Applies the master's {@code delta} to {@code confirmedCopy}, its lists' identities following (an element the
     * master adds gets a fresh one); they change only when the delta applies.
     *
     * @throws ProfileFormatError as {@link Profile.applyUpdates}
     */
    applyPush(confirmedCopy: Profile, delta: Uint8Array): void {
        const next = new Map<string, Ids>();
        const followed = new Map<string, Mapping>();
        confirmedCopy.applyUpdates(delta, { rebase: (name, size) => {
            let known = this.confirmed.get(name);
            if (known === undefined) {
                known = this.fresh(size);
                this.confirmed.set(name, known);
            }
            const ids = [...known];
            next.set(name, ids);
            const mapping = new Mapping(null, ids, () => this.nextId++);
            followed.set(name, mapping);
            return ListViews.following(mapping);
        } });
        for (const [name, ids] of next) {
            this.confirmed.set(name, ids);
        }
        for (const [name, mapping] of followed) {
            let fresh = this.unlinked.get(name);
            if (fresh === undefined) {
                fresh = new Set();
                this.unlinked.set(name, fresh);
            }
            for (const id of mapping.createdIds) {
                fresh.add(id);
            }
        }
    }

    /** Identities pushes gave elements since the copy's last acknowledgement: some may be the copy's own. */
    private readonly unlinked = new Map<string, Set<number>>();

    /**
     * The master acknowledged batches with these edits: the elements they created are in the confirmed copy now,
     * under identities a push gave them; each takes back the identity its batch gave it (found by its value among
     * those pushed since the last acknowledgement, in order), so the copy's later batches made on it still find it.
     * As profiles-core's ListViews.acknowledged.
     */
    acknowledged(edits: readonly ListEdits[], confirmedCopy: Profile): void {
        for (const batch of edits) {
            if (batch === null) {
                continue;
            }
            for (const [name, one] of batch) {
                const ids = this.confirmed.get(name);
                const fresh = this.unlinked.get(name);
                if (ids === undefined || fresh === undefined || fresh.size === 0 || !confirmedCopy.has(name)) {
                    continue;
                }
                const values = confirmedCopy.getList(name);
                for (const op of one.ops) {
                    if (op.created === null || op.values === undefined) {
                        continue;
                    }
                    for (let k = 0; k < op.created.length; k++) {
                        const value = op.values[k];
                        for (let i = 0; i < ids.length && i < values.length; i++) {
                            const id = ids[i]!;
                            if (fresh.has(id) && sameElement(values[i], value)) {
                                fresh.delete(id);
                                ids[i] = op.created[k]!;
                                break;
                            }
                        }
                    }
                }
            }
        }
        this.unlinked.clear();
    }

    /** Identities following operations applied at their own indices; one beyond the list is left to fail there. */
    private following(ids: Ids): ListRebase {
        return ListViews.following(new Mapping(null, ids, () => this.nextId++));
    }

    private static following(mapping: Mapping): ListRebase {
        return {
            map: (kind, index, count) => {
                const at = mapping.map(kind, index, count);
                return at === DROP ? index : at; // out of range: the list refuses it, as without identities
            },
        };
    }

    /** Visible shows confirmed (nothing laid over it). */
    visibleIsConfirmed(): void {
        this.visible.clear();
        for (const [name, ids] of this.confirmed) {
            this.visible.set(name, [...ids]);
        }
    }

    /** Laying batches over confirmed begins: the identities they are laid over, to pass to {@link layingOver}. */
    startLaying(): Map<string, Ids> {
        const laid = new Map<string, Ids>();
        for (const [name, ids] of this.confirmed) {
            laid.set(name, [...ids]);
        }
        return laid;
    }

    /**
     * How one batch's list edits are laid over {@code laid}: by identity from the view they were made on, or at their
     * own indices when {@code edits} has no view for a list (made on a view a reconnection left unknown).
     */
    layingOver(edits: ListEdits, laid: Map<string, Ids>): Rebaser {
        return (name, size) => {
            let onto = laid.get(name);
            if (onto === undefined) {
                onto = this.fresh(size);
                laid.set(name, onto);
            }
            const made = edits?.get(name);
            if (made === undefined) {
                return this.following(onto);
            }
            return new Mapping(made.view === null ? null : [...made.view], onto, createdBy(made.ops));
        };
    }

    /**
     * The batches are laid over: visible's lists hold {@code laid} (what {@code target} holds; a list whose batch
     * failed half-way gets fresh identities).
     */
    finishLaying(laid: Map<string, Ids>, target: Profile): void {
        this.visible.clear();
        for (const name of listNames(target)) {
            const ids = laid.get(name);
            const size = target.getList(name).length;
            this.visible.set(name, ids !== undefined && ids.length === size ? ids : this.fresh(size));
        }
    }

    /** Edits whose view a renumbering made unknown: laid at their own indices from now on, as the master takes them. */
    static atTheirIndices(edits: ListEdits): ListEdits {
        if (edits === null) {
            return null;
        }
        const raw = new Map<string, Edits>();
        for (const [name, one] of edits) {
            raw.set(name, { view: null, ops: one.ops });
        }
        return raw;
    }

    /** The identities of visible's list {@code name} before its unsent changes (for tests), or undefined. */
    visibleIds(name: string): readonly number[] | undefined {
        return this.visible.get(name);
    }

    /** The identities of confirmed's list {@code name} (for tests), or undefined. */
    confirmedIds(name: string): readonly number[] | undefined {
        return this.confirmed.get(name);
    }
}
