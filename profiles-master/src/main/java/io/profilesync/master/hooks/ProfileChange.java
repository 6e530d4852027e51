package io.profilesync.master.hooks;

import java.util.List;
import java.util.Objects;

/**
 * A change the master applied to one profile, as one step: every property it changed, in the schema's order, and who
 * made it. A {@link Reaction}'s changes come as a change of their own, {@code derived}, right after the change that
 * triggered them (they reach the holders and the database together with it). Immutable.
 */
public record ProfileChange(String userId, Author author, List<PropertyChange> changes, boolean derived) {
    public ProfileChange {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(author, "author");
        changes = List.copyOf(changes);
    }

    /** The change of {@code property}, or null when this change left it alone. */
    public PropertyChange of(String property) {
        for (PropertyChange change : changes) {
            if (change.property().equals(property)) {
                return change;
            }
        }
        return null;
    }
}
