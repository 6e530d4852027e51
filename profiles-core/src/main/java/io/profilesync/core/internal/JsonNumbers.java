package io.profilesync.core.internal;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.ProfileFormatException;
import java.io.IOException;

/**
 * Floating point numbers in JSON, exactly: finite values as the shortest decimal that reads back to the same bits,
 * and NaN and the infinities, which JSON numbers cannot hold, as the strings "NaN", "Infinity" and "-Infinity".
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonNumbers {
    private JsonNumbers() {
    }

    public static void writeFloat(float value, JsonGenerator json) throws IOException {
        if (Float.isFinite(value)) {
            json.writeNumber(value);
        } else {
            json.writeString(Float.toString(value));
        }
    }

    public static void writeDouble(double value, JsonGenerator json) throws IOException {
        if (Double.isFinite(value)) {
            json.writeNumber(value);
        } else {
            json.writeString(Double.toString(value));
        }
    }

    public static double readDouble(JsonNode node, String where) {
        if (node.isNumber()) {
            return finite(node.doubleValue(), "a double", node, where);
        }
        if (node.isTextual()) {
            switch (node.textValue()) {
                case "NaN":
                    return Double.NaN;
                case "Infinity":
                    return Double.POSITIVE_INFINITY;
                case "-Infinity":
                    return Double.NEGATIVE_INFINITY;
                default:
                    break;
            }
        }
        throw new ProfileFormatException("property '" + where + "': expected a number (or \"NaN\", \"Infinity\", "
                + "\"-Infinity\") but found " + node.getNodeType() + " " + node);
    }

    public static float readFloat(JsonNode node, String where) {
        if (node.isNumber()) {
            // Parse the decimal text as a float directly: going through double could round twice.
            return (float) finite(Float.parseFloat(node.asText()), "a float", node, where);
        }
        return (float) readDouble(node, where);
    }

    /**
     * A JSON number beyond the type's range would silently become an infinity (which JSON writes as a string, so
     * such a number was never written by us): refuse it.
     */
    private static double finite(double value, String type, JsonNode node, String where) {
        if (Double.isInfinite(value)) {
            throw new ProfileFormatException("property '" + where + "': number " + node.asText()
                    + " is beyond the range of " + type + "; write \"Infinity\" or \"-Infinity\" for an infinity");
        }
        return value;
    }
}
