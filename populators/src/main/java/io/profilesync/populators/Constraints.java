package io.profilesync.populators;

import io.profilesync.core.Vector3;
import java.util.Iterator;
import java.util.List;
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
                return listViolation(definition, label, (List<?>) value);
            case DICT:
                return dictViolation(definition, label, (Map<?, ?>) value);
            default:
                return null;
        }
    }

    private static String listViolation(PropertyDefinition definition, String label, List<?> list) {
        String reason = tooLarge(definition, label, list.size(), "elements");
        for (int i = 0; reason == null && i < list.size(); i++) {
            reason = elementViolation(definition, label + "[" + i + "]", list.get(i));
        }
        return reason;
    }

    private static String dictViolation(PropertyDefinition definition, String label, Map<?, ?> map) {
        String reason = tooLarge(definition, label, map.size(), "entries");
        Iterator<? extends Map.Entry<?, ?>> entries = map.entrySet().iterator();
        while (reason == null && entries.hasNext()) {
            Map.Entry<?, ?> entry = entries.next();
            Object key = entry.getKey() instanceof String ? "\"" + entry.getKey() + "\"" : entry.getKey();
            reason = elementViolation(definition, label + "[" + key + "]", entry.getValue());
        }
        return reason;
    }

    /** An element of a list or a value of a dictionary against min, max (numbers) or maxLength (strings). */
    private static String elementViolation(PropertyDefinition definition, String label, Object element) {
        if (element instanceof String) {
            return tooLong(definition, label, (String) element);
        }
        return element instanceof Number ? outOfRange(definition, label, (Number) element) : null;
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
