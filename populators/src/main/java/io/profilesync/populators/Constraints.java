package io.profilesync.populators;

import io.profilesync.core.Vector3;
import java.util.Collection;
import java.util.Map;

/** Checks a value against the constraints of its definition; every reason names the value and the bound. */
final class Constraints {
    private Constraints() {
    }

    /**
     * Why {@code value} breaks the constraints of {@code definition}, or null when it keeps them.
     *
     * @param label how the reason names the value: the property's name, or "default"
     */
    static String violation(PropertyDefinition definition, Object value, String label) {
        switch (definition.type().kind()) {
            case INT:
            case LONG:
            case FLOAT:
            case DOUBLE:
                return outOfRange(definition, label, (Number) value);
            case VECTOR3:
                Vector3 v = (Vector3) value;
                String reason = outOfRange(definition, label + ".x", v.x());
                if (reason == null) {
                    reason = outOfRange(definition, label + ".y", v.y());
                }
                return reason == null ? outOfRange(definition, label + ".z", v.z()) : reason;
            case STRING:
                return tooLong(definition, label, (String) value);
            case LIST:
                return tooLarge(definition, label, ((Collection<?>) value).size(), "elements");
            case DICT:
                return tooLarge(definition, label, ((Map<?, ?>) value).size(), "entries");
            default:
                return null;
        }
    }

    private static String outOfRange(PropertyDefinition definition, String label, Number value) {
        Number min = definition.min().orElse(null);
        Number max = definition.max().orElse(null);
        if (!isIntegral(value) && Double.isNaN(value.doubleValue()) && (min != null || max != null)) {
            return label + " NaN is not a number, so not within " + (min == null ? "" : "the minimum " + min)
                    + (min != null && max != null ? " and " : "") + (max == null ? "" : "the maximum " + max);
        }
        if (min != null && compare(value, min) < 0) {
            return label + " " + value + " is below the minimum " + min;
        }
        if (max != null && compare(value, max) > 0) {
            return label + " " + value + " is above the maximum " + max;
        }
        return null;
    }

    /** Compares a value and a bound of the same type: exactly for int and long, as IEEE numbers otherwise. */
    static int compare(Number value, Number bound) {
        if (isIntegral(value)) {
            return Long.compare(value.longValue(), bound.longValue());
        }
        // Not Double.compare: it would put -0.0 below a minimum of 0.
        double a = value.doubleValue();
        double b = bound.doubleValue();
        return a < b ? -1 : a > b ? 1 : 0;
    }

    private static boolean isIntegral(Number value) {
        return value instanceof Integer || value instanceof Long;
    }

    private static String tooLong(PropertyDefinition definition, String label, String value) {
        if (definition.maxLength().isEmpty()) {
            return null;
        }
        int length = value.codePointCount(0, value.length());
        int maxLength = definition.maxLength().getAsInt();
        return length <= maxLength ? null : label + " is " + length + " characters long, above the maximum length "
                + maxLength;
    }

    private static String tooLarge(PropertyDefinition definition, String label, int size, String what) {
        if (definition.maxSize().isEmpty()) {
            return null;
        }
        int maxSize = definition.maxSize().getAsInt();
        return size <= maxSize ? null : label + " has " + size + " " + what + ", above the maximum size " + maxSize;
    }
}
