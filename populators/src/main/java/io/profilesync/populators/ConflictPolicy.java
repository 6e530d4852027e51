package io.profilesync.populators;

import io.profilesync.core.ChangeKind;
import io.profilesync.core.ObservableProperty;
import java.util.Locale;
import java.util.Objects;

/**
 * What the master does with a writer's change to a property that others may be changing too ({@code conflict} in the
 * schema file). The master applies changes one at a time, in the order they reach it; the policy decides whether each
 * one applies to the value the master holds at that moment. A change a policy refuses is refused alone: its writer is
 * told (property and reason) and its copy returns to the master's value, while the rest of the same delta applies.
 * The master's own edits (admin, game logic) are trusted and not held to the policy. Immutable and thread-safe.
 */
public enum ConflictPolicy {
    /**
     * The default: the last change to reach the master wins. Increments ({@code add}, {@code subtract}) still add to
     * the master's current value, so concurrent increments all count.
     */
    LAST,
    /**
     * Written once: once the property holds something other than its default, every later change is refused
     * ({@code createdAt}, {@code referrer}).
     */
    FIRST,
    /** Keeps the larger value: a change that would not raise it is refused (high scores). Numbers and datetimes. */
    MAX,
    /** Keeps the smaller value: a change that would not lower it is refused (best times). Numbers and datetimes. */
    MIN,
    /**
     * Changed only by increments: a {@code set} from a writer is refused, so no writer can overwrite what others
     * added (currencies, kill counts). Int, long, float and double.
     */
    COUNTER;

    /** The name in the schema file: {@code last}, {@code first}, {@code max}, {@code min} or {@code counter}. */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The policy named {@code key} in a schema file.
     *
     * @throws IllegalArgumentException naming the bad value and the valid ones
     */
    public static ConflictPolicy of(String key) {
        for (ConflictPolicy policy : values()) {
            if (policy.key().equals(key)) {
                return policy;
            }
        }
        throw new IllegalArgumentException("conflict must be 'last' (the default: the last change wins), 'first' "
                + "(written once), 'max' (keeps the larger), 'min' (keeps the smaller) or 'counter' (only add and "
                + "subtract), not '" + key + "'");
    }

    /** Whether this policy means something for {@code type}; null when it does, else the types it applies to. */
    String typesItAppliesTo(PropertyType type) {
        PropertyType.Kind kind = type.kind();
        boolean number = kind == PropertyType.Kind.INT || kind == PropertyType.Kind.LONG
                || kind == PropertyType.Kind.FLOAT || kind == PropertyType.Kind.DOUBLE;
        switch (this) {
            case MAX:
            case MIN:
                return number || kind == PropertyType.Kind.DATETIME ? null : "int, long, float, double and datetime";
            case COUNTER:
                return number ? null : "int, long, float and double";
            default:
                return null;
        }
    }

    /**
     * Why this policy refuses a writer's change of {@code property} (still holding its old value) to {@code newValue},
     * or null when it applies.
     */
    String refusal(PropertyDefinition definition, ObservableProperty<?> property, Object newValue, ChangeKind kind) {
        Object current = property.value();
        switch (this) {
            case FIRST:
                if (!Objects.equals(current, definition.defaultValue())) {
                    return "property '" + property.name() + "' is written once (conflict: first) and already holds "
                            + shown(current) + "; it keeps that value";
                }
                return null;
            case MAX:
                if (compare(newValue, current) <= 0) {
                    return "property '" + property.name() + "' keeps the larger value (conflict: max): "
                            + shown(newValue) + " is not above " + shown(current);
                }
                return null;
            case MIN:
                if (compare(newValue, current) >= 0) {
                    return "property '" + property.name() + "' keeps the smaller value (conflict: min): "
                            + shown(newValue) + " is not below " + shown(current);
                }
                return null;
            case COUNTER:
                if (kind != ChangeKind.INCREMENT) {
                    return "property '" + property.name() + "' is a counter (conflict: counter): change it with add "
                            + "or subtract, not set, so no writer overwrites what others added (it holds "
                            + shown(current) + ")";
                }
                return null;
            default:
                return null;
        }
    }

    @SuppressWarnings({"unchecked", "rawtypes"}) // the same property type on both sides: checked by the schema
    private static int compare(Object a, Object b) {
        return ((Comparable) a).compareTo(b);
    }

    private static String shown(Object value) {
        return value instanceof String text ? "\"" + text + "\"" : String.valueOf(value);
    }
}
