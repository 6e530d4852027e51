package io.profilesync.core;

import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How a profile reads values stored under earlier schemas ({@link ObservableProfile#fromJson(String)}): properties
 * renamed (the value stored under an old name arrives in the new property when the stored document has no value
 * under the new name), properties whose type changed with a declared conversion, and properties declared dropped
 * (their stored values are removed at the next save). Every other stored name the profile does not have is kept and
 * written back unchanged ({@link ObservableProfile#keptProperties()}).
 *
 * <p>Conversions go through the stored JSON: int to long, float or double, long to double, float to double read the
 * stored number as the new type (a long beyond 2^53 rounds to the nearest double); any number or boolean to string
 * gives its JSON text ({@code 120} becomes {@code "120"}). The schema file declares them
 * ({@code renamedFrom}, {@code convertFrom}, {@code dropped}; {@code docs/schema.md}, "Changing your schema"), and
 * checks which conversions it accepts.
 *
 * <p>Threading: immutable and thread-safe.
 */
public final class SchemaEvolution {
    /** No renames, conversions or drops: every stored name the profile lacks is kept. */
    public static final SchemaEvolution NONE = new SchemaEvolution(Map.of(), Map.of(), Set.of());

    private final Map<String, List<String>> renamedFrom;
    private final Map<String, String> convertFrom;
    private final Set<String> dropped;

    /**
     * @param renamedFrom for a property, the names its values were stored under before, in the order tried
     * @param convertFrom for a property, the type descriptor its values were stored with ({@code int}, ...)
     * @param dropped stored names whose values are removed rather than kept
     */
    public SchemaEvolution(Map<String, List<String>> renamedFrom, Map<String, String> convertFrom,
            Set<String> dropped) {
        Map<String, List<String>> renames = new LinkedHashMap<>();
        renamedFrom.forEach((name, old) -> renames.put(Objects.requireNonNull(name), List.copyOf(old)));
        this.renamedFrom = java.util.Collections.unmodifiableMap(renames);
        this.convertFrom = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(convertFrom));
        this.dropped = java.util.Collections.unmodifiableSet(new LinkedHashSet<>(dropped));
    }

    /** For each property that was renamed, its earlier names (unmodifiable). */
    public Map<String, List<String>> renamedFrom() {
        return renamedFrom;
    }

    /** For each property whose type changed, the type descriptor its values were stored with (unmodifiable). */
    public Map<String, String> convertFrom() {
        return convertFrom;
    }

    /** Stored names whose values are removed at the next save instead of kept (unmodifiable). */
    public Set<String> dropped() {
        return dropped;
    }

    /** The earlier names of {@code property}, empty when it was not renamed. */
    public List<String> earlierNames(String property) {
        return renamedFrom.getOrDefault(property, List.of());
    }

    public boolean isNone() {
        return renamedFrom.isEmpty() && convertFrom.isEmpty() && dropped.isEmpty();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SchemaEvolution e && e.renamedFrom.equals(renamedFrom)
                && e.convertFrom.equals(convertFrom) && e.dropped.equals(dropped);
    }

    @Override
    public int hashCode() {
        return Objects.hash(renamedFrom, convertFrom, dropped);
    }

    @Override
    public String toString() {
        return "SchemaEvolution[renamedFrom=" + renamedFrom + ", convertFrom=" + convertFrom + ", dropped=" + dropped
                + "]";
    }
}
