package io.profilesync.core;

/**
 * Moves list operations made on a writer's older view of a list onto the list as this copy holds it (the master's),
 * so that a remove deletes, and a set replaces, the element its writer saw, and an insert lands beside the element it
 * was made beside, whatever other writers changed meanwhile. Passed in {@link ApplyOptions#rebaser()}; the master's
 * relay is its one user. Threading: used on the thread applying the delta only.
 */
public interface ListRebaser {
    /** What {@link Rebase#map} answers for an operation that cannot apply here (it is left out alone). */
    int DROP = -1;

    /**
     * The rebase of the operations that one delta carries for {@code list}, asked once per list before its first
     * operation is applied; null applies them as they are.
     */
    Rebase of(ObservableList<?> list);

    /** The rebase of one list's operations in one delta, asked for each in order. */
    interface Rebase {
        /**
         * Where the operation applies on this copy's list: the index to set, remove or insert at, or {@link #DROP}.
         *
         * @param kind the operation
         * @param index the writer's index (SET, INSERT, REMOVE); -1 for ADD, CLEAR and REPLACE
         * @param count the number of elements a REPLACE brings, else 0
         * @return the index on this copy (anything for ADD, CLEAR and REPLACE), or {@link #DROP}
         */
        int map(ListChange.Kind kind, int index, int count);

        /** Why the operation {@link #map} last answered {@link #DROP} for cannot apply, naming it. */
        String whyDropped();
    }
}
