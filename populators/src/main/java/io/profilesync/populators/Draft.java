package io.profilesync.populators;

import io.profilesync.core.ElementType;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A property definition being assembled by {@link SchemaBuilder} or read from a file, not yet checked.
 * {@link #checkAll}
 * applies every rule in one place, whichever way the drafts were made. Not thread-safe.
 */
final class Draft {
    String name;
    PropertyType type;
    float step;
    /** Null for the type's zero value. */
    Object defaultValue;
    boolean clientWritable;
    boolean clientVisible = true;
    Number min;
    Number max;
    Integer maxLength;
    Integer maxSize;
    Integer maxKeyLength;
    /** The names this property's values were stored under before (schema evolution). */
    List<String> renamedFrom = List.of();
    /** The type its values were stored with before, converted on restore; null: none. */
    PropertyType convertFrom;
    /** When the master saves a change to it. */
    Durability durability = Durability.DEBOUNCED;
    /** What the master does with concurrent writers' changes. */
    ConflictPolicy conflict = ConflictPolicy.LAST;
    /** What was wrong when reading the entry from a file, or null. */
    String readProblem;

    /** A problem of one entry, caught and collected by {@link #checkAll}. */
    static final class Problem extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Problem(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks every draft and makes the definitions, in order.
     *
     * @param source what the drafts came from, for the message: "schema file 'x.yaml'", "schema builder"
     * @throws SchemaException listing every problem, each with the entry's index and name
     */
    static List<PropertyDefinition> checkAll(String source, List<Draft> drafts) {
        List<PropertyDefinition> definitions = new ArrayList<>(drafts.size());
        List<String> problems = new ArrayList<>();
        Map<String, Integer> firstIndex = new HashMap<>();
        for (int i = 0; i < drafts.size(); i++) {
            Draft draft = drafts.get(i);
            String entry = "properties[" + i + "]" + (draft.name == null ? "" : " '" + draft.name + "'");
            Integer first = draft.name == null ? null : firstIndex.putIfAbsent(draft.name, i);
            try {
                if (draft.readProblem != null) {
                    throw new Problem(draft.readProblem);
                }
                if (first != null) {
                    throw new Problem("duplicate name '" + draft.name + "', already used by properties[" + first
                            + "]; property names must be unique");
                }
                definitions.add(draft.check());
            } catch (Problem e) {
                problems.add(entry + ": " + e.getMessage());
            }
        }
        if (!problems.isEmpty()) {
            throw new SchemaException(source, problems);
        }
        return definitions;
    }

    private PropertyDefinition check() {
        if (name == null) {
            throw new Problem("missing 'name'");
        }
        if (name.isBlank()) {
            throw new Problem("name must not be blank");
        }
        if (type == null) {
            throw new Problem("missing 'type'; valid types are " + PropertyType.VALID_TYPES);
        }
        checkApplies("step", step != 0f);
        checkApplies("min", min != null);
        checkApplies("max", max != null);
        checkApplies("maxLength", maxLength != null);
        checkApplies("maxSize", maxSize != null);
        checkApplies("maxKeyLength", maxKeyLength != null);
        checkStep(step);
        checkFinite("min", min);
        checkFinite("max", max);
        if (min != null && max != null && Constraints.compare(min, max) > 0) {
            throw new Problem("min " + min + " is above max " + max);
        }
        if (maxLength != null && maxLength < 0) {
            throw new Problem("maxLength must not be negative, not " + maxLength);
        }
        if (maxKeyLength != null && maxKeyLength < 1) {
            throw new Problem("maxKeyLength must be at least 1, not " + maxKeyLength);
        }
        if (maxSize != null && maxSize < 0) {
            throw new Problem("maxSize must not be negative, not " + maxSize);
        }
        for (String earlier : renamedFrom) {
            if (earlier == null || earlier.isBlank() || earlier.equals(name)) {
                throw new Problem("renamedFrom names the earlier names of this property: not blank, not its own name"
                        + " ('" + earlier + "')");
            }
        }
        if (convertFrom != null && !convertible(convertFrom, type)) {
            throw new Problem("convertFrom type " + convertFrom + " cannot become " + type + "; conversions: "
                    + CONVERSIONS);
        }
        String conflictTypes = conflict.typesItAppliesTo(type);
        if (conflictTypes != null) {
            throw new Problem("conflict: " + conflict.key() + " applies only to " + conflictTypes + ", not to " + type);
        }
        if (clientWritable && !clientVisible) {
            throw new Problem("clientWritable but not clientVisible: a client cannot write what it cannot see; "
                    + "make it clientVisible or drop clientWritable");
        }
        try {
            // The core brings the value to its canonical form (quantized, truncated to milliseconds) or refuses it.
            Object given = defaultValue == null ? type.zeroValue() : defaultValue;
            defaultValue = type.newProperty(name, given, step, Integer.MAX_VALUE).value();
        } catch (IllegalArgumentException | ClassCastException e) {
            throw new Problem("default " + defaultValue + " is not a valid " + type + ": " + e.getMessage());
        }
        PropertyDefinition definition = new PropertyDefinition(this);
        String violation = Constraints.violation(definition, defaultValue, "default");
        if (violation != null) {
            throw new Problem(violation);
        }
        return definition;
    }

    /** The conversions {@code convertFrom} may declare, as the schema docs list them. */
    static final String CONVERSIONS = "int to long, float, double or string; long to double or string; float to "
            + "double or string; double or bool to string";

    /** Whether values stored as {@code from} read as {@code to} through the stored JSON (see SchemaEvolution). */
    static boolean convertible(PropertyType from, PropertyType to) {
        PropertyType.Kind f = from.kind();
        switch (to.kind()) {
            case LONG:
            case FLOAT:
                return f == PropertyType.Kind.INT;
            case DOUBLE:
                return f == PropertyType.Kind.INT || f == PropertyType.Kind.LONG || f == PropertyType.Kind.FLOAT;
            case STRING:
                return f == PropertyType.Kind.INT || f == PropertyType.Kind.LONG || f == PropertyType.Kind.FLOAT
                        || f == PropertyType.Kind.DOUBLE || f == PropertyType.Kind.BOOL;
            default:
                return false;
        }
    }

    private void checkApplies(String key, boolean given) {
        if (given) {
            requireApplies(key, type);
        }
    }

    /** Refuses a key that means nothing for the type, such as maxLength on an int. */
    static void requireApplies(String key, PropertyType type) {
        boolean applies;
        String types;
        switch (key) {
            case "step":
                applies = type.kind() == PropertyType.Kind.VECTOR3;
                types = "vector3";
                break;
            case "min":
            case "max":
                applies = type.numberKind() != null;
                types = "int, long, float, double, vector3 (each component) and lists or dicts of those (each "
                        + "element or value)";
                break;
            case "maxLength":
                applies = type.holdsText();
                types = "string and lists or dicts of strings (each element or value)";
                break;
            case "maxKeyLength":
                applies = type.kind() == PropertyType.Kind.DICT && type.keyType() == ElementType.STRING;
                types = "dicts with string keys";
                break;
            default:
                applies = type.isCollection();
                types = "list and dict types";
                break;
        }
        if (!applies) {
            throw new Problem("'" + key + "' applies only to " + types + ", not to " + type);
        }
    }

    static void checkStep(float step) {
        if (!(step >= 0f) || Float.isInfinite(step)) {
            throw new Problem("step must be 0 (unquantized) or a positive number such as 0.01, not " + step);
        }
    }

    private static void checkFinite(String key, Number bound) {
        if (bound != null && !Double.isFinite(bound.doubleValue())) {
            throw new Problem(key + " must be a finite number, not " + bound);
        }
    }
}
