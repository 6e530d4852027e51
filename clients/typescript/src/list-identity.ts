/**
 * Elements of a list named by identities (numbers that stay with an element as others are inserted or removed around
 * it, and through a set), and the one rule that moves an operation made on one view of a list onto another list by
 * those identities (profiles-core's ListIdentity): a remove or set names the element at its index in the view, an
 * insert lands just after the nearest element before it in the view that the other list still holds (or at the
 * start), an add appends. An operation on an element the other list no longer holds is dropped alone. The master
 * moves a writer's operations from the writer's view onto its own list with it, and the copy lays its batches not yet
 * acknowledged over the master's newer state with it, so both see the same.
 */
import { DROP, type ListOpCode, type ListRebase } from "./profile.js";

/** The identities of a list's elements, in order (changed in place). */
export type Ids = number[];

/** One operation as its writer made it: {@code created} the identities of what it created (add, insert, replace). */
export interface Made {
    readonly kind: ListOpCode;
    readonly index: number;
    readonly created: readonly number[] | null;
    /** The elements it created, to know them again when the master acknowledges them (a copy's own only). */
    readonly values?: readonly unknown[];
}

/** Replaces the identities {@code ids} holds with {@code all}, in place. */
function setAll(ids: Ids, all: readonly number[]): void {
    ids.splice(0, ids.length, ...all);
}

/**
 * The rebase of one list's operations in one delta, from {@code view} (the writer's view, changed as its operations
 * go; null: the writer's indices are the target's) onto {@code target} (changed as they apply); {@code ids} gives the
 * identities of what the operations create, in order.
 */
export class Mapping implements ListRebase {
    /** The writer's operations, as it made them. */
    readonly made: Made[] = [];
    /** The identities of the elements the target took from these operations, in order. */
    readonly createdIds: number[] = [];

    constructor(private readonly view: Ids | null, private readonly target: Ids, private readonly ids: () => number) {
    }

    map(kind: ListOpCode, index: number, count: number): number {
        switch (kind) {
            case 1: { // add
                const id = this.ids();
                this.made.push({ kind, index: -1, created: [id] });
                this.view?.push(id);
                this.target.push(id);
                this.createdIds.push(id);
                return this.target.length - 1;
            }
            case 2:
                return this.insert(index);
            case 0:
            case 3:
                return this.setOrRemove(kind, index);
            case 4: // clear
                this.made.push({ kind, index: -1, created: null });
                if (this.view !== null) {
                    this.view.length = 0;
                }
                this.target.length = 0;
                return 0;
            case 5: { // replace
                const fresh: number[] = [];
                for (let i = 0; i < count; i++) {
                    fresh.push(this.ids());
                }
                this.made.push({ kind, index: -1, created: fresh });
                if (this.view !== null) {
                    setAll(this.view, fresh);
                }
                setAll(this.target, fresh);
                this.createdIds.push(...fresh);
                return 0;
            }
        }
    }

    private insert(index: number): number {
        const id = this.ids();
        this.made.push({ kind: 2, index, created: [id] });
        let at: number;
        if (this.view === null) {
            if (index > this.target.length) {
                return DROP; // beyond the list as it holds now
            }
            at = index;
        } else {
            if (index > this.view.length) {
                return DROP; // beyond the list the writer's copy showed
            }
            at = 0;
            for (let k = index - 1; k >= 0; k--) {
                const found = this.target.indexOf(this.view[k]!);
                if (found >= 0) {
                    at = found + 1;
                    break;
                }
            }
            this.view.splice(index, 0, id);
        }
        this.target.splice(at, 0, id);
        this.createdIds.push(id);
        return at;
    }

    private setOrRemove(kind: 0 | 3, index: number): number {
        this.made.push({ kind, index, created: null });
        let at: number;
        if (this.view === null) {
            if (index >= this.target.length) {
                return DROP; // beyond the list as it holds now
            }
            at = index;
        } else {
            if (index >= this.view.length) {
                return DROP; // beyond the list the writer's copy showed
            }
            const id = kind === 0 ? this.view[index]! : this.view.splice(index, 1)[0]!;
            at = this.target.indexOf(id);
            if (at < 0) {
                return DROP; // the element was removed meanwhile by another writer
            }
        }
        if (kind === 3) {
            this.target.splice(at, 1);
        }
        return at;
    }
}

/** The identities {@code ops} created, in order, given again. */
export function createdBy(ops: readonly Made[]): () => number {
    const all: number[] = [];
    for (const op of ops) {
        if (op.created !== null) {
            all.push(...op.created);
        }
    }
    let next = 0;
    return () => all[next++]!;
}

/** Applies operations as made, at their own indices, to {@code ids}; one beyond the list is skipped. */
export function applyAsMade(ops: readonly Made[], ids: Ids): void {
    for (const op of ops) {
        switch (op.kind) {
            case 1:
                ids.push(op.created![0]!);
                break;
            case 2:
                if (op.index <= ids.length) {
                    ids.splice(op.index, 0, op.created![0]!);
                }
                break;
            case 3:
                if (op.index < ids.length) {
                    ids.splice(op.index, 1);
                }
                break;
            case 4:
                ids.length = 0;
                break;
            case 5:
                setAll(ids, op.created!);
                break;
            default:
                break; // a set keeps identities
        }
    }
}
