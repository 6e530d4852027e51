package io.profilesync.populators;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ProfileFormatException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The schema's file form, read from a JSON or YAML tree into drafts, and written canonically: always the same keys
 * in the same order, so equal schemas give equal text and so equal fingerprints. Default values use the core's JSON
 * form of the property ({@link ObservableProfile#toJson()}), so a default reads exactly as a stored profile does.
 * Thread-safe (stateless).
 */
final class SchemaJson {
    static final ObjectMapper JSON = new ObjectMapper();

    /** Every key an entry may have, in canonical order. */
    static final List<String> KEYS = List.of("name", "type", "step", "default", "min", "max", "maxLength", "maxSize",
            "maxKeyLength", "clientWritable", "clientVisible", "durability", "conflict", "renamedFrom", "convertFrom");
    private static final Set<String> KEY_SET = Set.copyOf(KEYS);

    private SchemaJson() {
    }

    // ---------------------------------------------------------------- reading

    /** The {@code dropped} list of a parsed schema document (empty when absent). */
    static List<String> readDropped(String source, JsonNode root) {
        JsonNode dropped = root == null ? null : root.get("dropped");
        if (dropped == null) {
            return List.of();
        }
        List<String> names = new ArrayList<>();
        if (dropped.isArray()) {
            for (JsonNode name : dropped) {
                if (!name.isTextual() || name.textValue().isBlank()) {
                    names = null;
                    break;
                }
                names.add(name.textValue());
            }
        }
        if (names == null || !dropped.isArray()) {
            throw new SchemaException(source, List.of("'dropped' must be a list of the names of stored properties to "
                    + "delete, such as [coins], not " + dropped));
        }
        return names;
    }

    /** The drafts of a parsed schema document; problems of single entries are left in the drafts. */
    static List<Draft> read(String source, JsonNode root) {
        if (root == null || !root.isObject()) {
            throw new SchemaException(source, List.of("a schema must be an object with a 'properties' list, not "
                    + (root == null ? "empty text" : root.getNodeType())));
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!key.equals("properties") && !key.equals("dropped")) {
                throw new SchemaException(source, List.of("unknown top-level key '" + key
                        + "'; a schema holds only 'properties' and 'dropped'"));
            }
        }
        JsonNode entries = root.get("properties");
        if (entries == null || !entries.isArray()) {
            throw new SchemaException(source, List.of("'properties' must be a list of property entries, not "
                    + (entries == null ? "missing" : entries.getNodeType())));
        }
        List<Draft> drafts = new ArrayList<>(entries.size());
        for (JsonNode entry : entries) {
            Draft draft = new Draft();
            try {
                readEntry(entry, draft);
            } catch (Draft.Problem e) {
                draft.readProblem = e.getMessage();
            }
            drafts.add(draft);
        }
        return drafts;
    }

    private static void readEntry(JsonNode entry, Draft draft) {
        if (!entry.isObject()) {
            throw new Draft.Problem("an entry must be an object with at least name and type, not "
                    + entry.getNodeType() + " " + entry);
        }
        JsonNode name = entry.get("name");
        if (name != null && name.isTextual()) {
            draft.name = name.textValue();
        }
        for (Iterator<String> it = entry.fieldNames(); it.hasNext(); ) {
            String key = it.next();
            if (!KEY_SET.contains(key)) {
                throw new Draft.Problem("unknown key '" + key + "'" + suggestion(key) + "; valid keys are "
                        + String.join(", ", KEYS));
            }
        }
        if (name == null) {
            throw new Draft.Problem("missing 'name'");
        }
        if (!name.isTextual()) {
            throw new Draft.Problem("name must be a string, not " + name.getNodeType() + " " + name);
        }
        JsonNode type = entry.get("type");
        if (type == null) {
            throw new Draft.Problem("missing 'type'; valid types are " + PropertyType.VALID_TYPES);
        }
        if (!type.isTextual()) {
            throw new Draft.Problem("type must be a string, not " + type.getNodeType() + " " + type);
        }
        try {
            draft.type = PropertyType.parse(type.textValue());
        } catch (IllegalArgumentException e) {
            throw new Draft.Problem(e.getMessage());
        }
        PropertyType t = draft.type;
        if (entry.has("step")) {
            Draft.requireApplies("step", t);
            draft.step = number(entry.get("step"), "step").floatValue();
            Draft.checkStep(draft.step);
        }
        if (entry.has("min")) {
            Draft.requireApplies("min", t);
            draft.min = bound(t, entry.get("min"), "min");
        }
        if (entry.has("max")) {
            Draft.requireApplies("max", t);
            draft.max = bound(t, entry.get("max"), "max");
        }
        if (entry.has("maxLength")) {
            Draft.requireApplies("maxLength", t);
            draft.maxLength = integer(entry.get("maxLength"), "maxLength");
        }
        if (entry.has("maxSize")) {
            Draft.requireApplies("maxSize", t);
            draft.maxSize = integer(entry.get("maxSize"), "maxSize");
        }
        if (entry.has("maxKeyLength")) {
            Draft.requireApplies("maxKeyLength", t);
            draft.maxKeyLength = integer(entry.get("maxKeyLength"), "maxKeyLength");
        }
        draft.clientWritable = bool(entry, "clientWritable", false);
        draft.clientVisible = bool(entry, "clientVisible", true);
        if (entry.has("durability")) {
            JsonNode durability = entry.get("durability");
            if (!durability.isTextual()) {
                throw new Draft.Problem("durability must be the string 'immediate' or 'debounced', not "
                        + durability.getNodeType() + " " + durability);
            }
            try {
                draft.durability = Durability.of(durability.textValue());
            } catch (IllegalArgumentException e) {
                throw new Draft.Problem(e.getMessage());
            }
        }
        if (entry.has("conflict")) {
            JsonNode conflict = entry.get("conflict");
            if (!conflict.isTextual()) {
                throw new Draft.Problem("conflict must be the string 'last', 'first', 'max', 'min' or 'counter', not "
                        + conflict.getNodeType() + " " + conflict);
            }
            try {
                draft.conflict = ConflictPolicy.of(conflict.textValue());
            } catch (IllegalArgumentException e) {
                throw new Draft.Problem(e.getMessage());
            }
        }
        if (entry.has("default")) {
            draft.defaultValue = readDefault(draft.name, t, draft.step, entry.get("default"));
        }
        if (entry.has("renamedFrom")) {
            JsonNode names = entry.get("renamedFrom");
            List<String> earlier = new ArrayList<>();
            if (names.isArray()) {
                for (JsonNode n : names) {
                    if (!n.isTextual()) {
                        earlier = null;
                        break;
                    }
                    earlier.add(n.textValue());
                }
            }
            if (earlier == null || !names.isArray() || earlier.isEmpty()) {
                throw new Draft.Problem("renamedFrom must be a list of earlier names such as [coins], not " + names);
            }
            draft.renamedFrom = earlier;
        }
        if (entry.has("convertFrom")) {
            JsonNode from = entry.get("convertFrom");
            if (!from.isObject() || from.size() != 1 || !from.path("type").isTextual()) {
                throw new Draft.Problem("convertFrom must be {type: TYPE}, the type the values were stored with, "
                        + "such as {type: int}, not " + from);
            }
            try {
                draft.convertFrom = PropertyType.parse(from.get("type").textValue());
            } catch (IllegalArgumentException e) {
                throw new Draft.Problem("convertFrom: " + e.getMessage());
            }
        }
    }

    private static Number number(JsonNode node, String key) {
        if (!node.isNumber()) {
            throw new Draft.Problem(key + " must be a number, not " + node.getNodeType() + " " + node);
        }
        return node.numberValue();
    }

    private static int integer(JsonNode node, String key) {
        if (!node.isIntegralNumber() || !node.canConvertToInt()) {
            throw new Draft.Problem(key + " must be a whole number, not " + node.getNodeType() + " " + node);
        }
        return node.intValue();
    }

    private static boolean bool(JsonNode entry, String key, boolean absent) {
        JsonNode node = entry.get(key);
        if (node == null) {
            return absent;
        }
        if (!node.isBoolean()) {
            throw new Draft.Problem(key + " must be true or false, not " + node.getNodeType() + " " + node);
        }
        return node.booleanValue();
    }

    /** A min or max in the Java type of what it bounds: Integer, Long, Float (also vector3) or Double. */
    private static Number bound(PropertyType type, JsonNode node, String key) {
        switch (type.numberKind()) {
            case INT:
                if (!node.isIntegralNumber() || !node.canConvertToInt()) {
                    throw new Draft.Problem(key + " of an int must be a 32-bit integer, not " + node);
                }
                return node.intValue();
            case LONG:
                if (!node.isIntegralNumber() || !node.canConvertToLong()) {
                    throw new Draft.Problem(key + " of a long must be a 64-bit integer, not " + node);
                }
                return node.longValue();
            case DOUBLE:
                return number(node, key).doubleValue();
            default:
                // Parse the decimal text as a float directly, as the core reads floats.
                number(node, key);
                return Float.parseFloat(node.asText());
        }
    }

    /** Decodes a default through the core's JSON form of the property, so it reads as stored profiles do. */
    private static Object readDefault(String name, PropertyType type, float step, JsonNode node) {
        ObservableProperty<?> property;
        try {
            property = type.newProperty(name, type.zeroValue(), step, Integer.MAX_VALUE);
        } catch (IllegalArgumentException e) {
            throw new Draft.Problem(e.getMessage());
        }
        ObservableProfile holder = new ObservableProfile();
        holder.add(property);
        ObjectNode wrapper = JSON.createObjectNode();
        wrapper.set(name, node);
        try {
            holder.fromJson(JSON.writeValueAsString(wrapper));
        } catch (ProfileFormatException e) {
            // "property 'level': expected ..." reads better here as "default of type int: expected ..."
            String prefix = "property '" + name;
            String message = e.getMessage();
            if (message.startsWith(prefix)) {
                message = "default" + message.substring(prefix.length()).replaceFirst("^(\\.[xyz])?': ", "$1 of type "
                        + type + ": ");
            }
            throw new Draft.Problem(message);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing a JSON tree to a string cannot fail", e);
        }
        return property.value();
    }

    /** " (did you mean 'max'?)" naming the valid key nearest to {@code key}, when one is two edits away or less. */
    private static String suggestion(String key) {
        String best = null;
        int bestDistance = 3;
        for (String valid : KEYS) {
            int distance = editDistance(key.toLowerCase(Locale.ROOT), valid.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = valid;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " (did you mean '" + best + "'?)";
    }

    /** Edits (insert, delete, substitute, swap two neighbours) that turn {@code a} into {@code b}. */
    private static int editDistance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            for (int j = 0; j <= b.length(); j++) {
                if (i == 0 || j == 0) {
                    d[i][j] = i + j;
                    continue;
                }
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }

    // ---------------------------------------------------------------- writing

    /** The canonical JSON text: every entry with the same keys in the same order, defaults always written. */
    static String write(List<PropertyDefinition> definitions, List<String> dropped) {
        ObjectNode root = JSON.createObjectNode();
        ArrayNode entries = root.putArray("properties");
        for (PropertyDefinition definition : definitions) {
            ObjectNode entry = entries.addObject();
            entry.put("name", definition.name());
            entry.put("type", definition.type().name());
            if (definition.step() != 0f) {
                entry.put("step", definition.step());
            }
            entry.set("default", defaultJson(definition));
            definition.min().ifPresent(min -> putNumber(entry, "min", min));
            definition.max().ifPresent(max -> putNumber(entry, "max", max));
            definition.maxLength().ifPresent(maxLength -> entry.put("maxLength", maxLength));
            definition.maxSize().ifPresent(maxSize -> entry.put("maxSize", maxSize));
            // Written only when set, so the fingerprint of a schema without it is what it was.
            definition.maxKeyLength().ifPresent(maxKeyLength -> entry.put("maxKeyLength", maxKeyLength));
            entry.put("clientWritable", definition.clientWritable());
            entry.put("clientVisible", definition.clientVisible());
            // Written only when immediate, so the fingerprint of a schema without it is what it was.
            if (definition.durability() == Durability.IMMEDIATE) {
                entry.put("durability", definition.durability().key());
            }
            // Written only when not the default, so the fingerprint of a schema without it is what it was.
            if (definition.conflict() != ConflictPolicy.LAST) {
                entry.put("conflict", definition.conflict().key());
            }
            // Written only when declared, so the fingerprints of schemas without them stay what they were.
            if (!definition.renamedFrom().isEmpty()) {
                ArrayNode names = entry.putArray("renamedFrom");
                definition.renamedFrom().forEach(names::add);
            }
            definition.convertFrom().ifPresent(from -> entry.putObject("convertFrom").put("type", from.name()));
        }
        if (!dropped.isEmpty()) {
            ArrayNode names = root.putArray("dropped");
            dropped.forEach(names::add);
        }
        try {
            return JSON.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("writing a JSON tree to a string cannot fail", e);
        }
    }

    private static JsonNode defaultJson(PropertyDefinition definition) {
        ObservableProfile holder = new ObservableProfile();
        holder.add(definition.newProperty());
        try {
            return JSON.readTree(holder.toJson()).get(definition.name());
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("the core wrote JSON it cannot read: " + holder.toJson(), e);
        }
    }

    private static void putNumber(ObjectNode entry, String key, Number value) {
        if (value instanceof Integer) {
            entry.put(key, value.intValue());
        } else if (value instanceof Long) {
            entry.put(key, value.longValue());
        } else if (value instanceof Float) {
            entry.put(key, value.floatValue());
        } else {
            entry.put(key, value.doubleValue());
        }
    }
}
