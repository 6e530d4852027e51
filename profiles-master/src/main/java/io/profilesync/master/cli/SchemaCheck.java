package io.profilesync.master.cli;

import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.PropertyDefinition;
import io.profilesync.populators.SchemaException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * The check at start of what the configured schema would do to stored profiles: for every schema that wrote rows
 * (the fingerprint in each row, the schema itself in {@code profilesync_schemas}), each of its properties must be
 * in the new schema with the same type, or be taken by a property that declares {@code renamedFrom} (and
 * {@code convertFrom} when the type differs), or be declared {@code dropped}. Otherwise the master refuses to start,
 * naming each property, its stored type, its new type and how many rows hold it, and how to proceed. A property the
 * new schema lacks may instead be accepted with {@code --allow-schema-drop}: its values stay in the rows, untouched
 * and not served. A type change cannot be accepted that way (the rows would not load); it needs
 * {@code convertFrom} or a new name. Once the check passes, the schema is recorded for the next start.
 *
 * <p>Stateless; called once on the starting thread.
 */
final class SchemaCheck {
    /** What differs for one stored property: {@code newType} null when the new schema lacks it. */
    private record Difference(String property, String storedType, String newType) {
    }

    private SchemaCheck() {
    }

    /**
     * Checks {@code schema} against what {@code accessor} holds, then records it.
     *
     * @throws SchemaException when stored properties would be dropped (and {@code allowDrop} is false) or change
     *     type without a declared conversion
     */
    static void checkAndRecord(ProfileSchema schema, String schemaName, JdbiProfilesAccessor accessor,
            boolean allowDrop, Logger log) {
        Map<Difference, Long> rows = new LinkedHashMap<>();
        Map<Difference, List<String>> writtenWith = new LinkedHashMap<>();
        for (Map.Entry<String, Long> entry : accessor.rowsBySchema().entrySet()) {
            String fingerprint = entry.getKey();
            if (fingerprint == null) {
                log.info("{} stored profile(s) were written before profilesync recorded schemas: not checked; "
                        + "properties the schema lacks are kept in them as they are", entry.getValue());
                continue;
            }
            if (fingerprint.equals(schema.fingerprint())) {
                continue;
            }
            Optional<String> storedJson = accessor.storedSchema(fingerprint);
            if (storedJson.isEmpty()) {
                log.warn("{} stored profile(s) were written with schema {}, which the database does not record: not "
                        + "checked", entry.getValue(), shortly(fingerprint));
                continue;
            }
            for (Difference d : differences(ProfileSchema.fromJson(storedJson.get()), schema)) {
                rows.merge(d, entry.getValue(), Long::sum);
                writtenWith.computeIfAbsent(d, k -> new ArrayList<>()).add(shortly(fingerprint));
            }
        }
        List<String> problems = new ArrayList<>();
        List<String> accepted = new ArrayList<>();
        for (Map.Entry<Difference, Long> e : rows.entrySet()) {
            Difference d = e.getKey();
            String where = e.getValue() + " stored profile(s) written with schema "
                    + String.join(", ", writtenWith.get(d)) + " hold it";
            if (d.newType() == null) {
                String text = "property '" + d.property() + "' (" + d.storedType() + ") is not in the schema: "
                        + where;
                (allowDrop ? accepted : problems).add(text);
            } else {
                problems.add("property '" + d.property() + "' was " + d.storedType() + " and is " + d.newType()
                        + " in the schema, with no convertFrom: " + where);
            }
        }
        if (!accepted.isEmpty()) {
            log.warn("Starting with --allow-schema-drop although the schema lacks stored properties; their values "
                    + "stay in the rows, untouched and not served, until a schema declares them dropped or takes "
                    + "them:\n  - {}", String.join("\n  - ", accepted));
        }
        if (!problems.isEmpty()) {
            String fix = "To proceed, say in the schema what became of each (docs/schema.md, \"Changing your "
                    + "schema\"): renamedFrom: [OLD] on the property that now holds the values, convertFrom: "
                    + "{type: OLDTYPE} on a property whose type changed, or dropped: [NAME] at the top of the schema "
                    + "to delete the stored values"
                    + (allowDrop ? "." : "; or start with --allow-schema-drop to keep the values of properties the "
                    + "schema lacks in the rows, untouched and not served (type changes still need convertFrom).");
            throw new SchemaException("the schema " + schemaName + " (fingerprint " + shortly(schema.fingerprint())
                    + ") does not fit the stored profiles:\n  - " + String.join("\n  - ", problems) + "\n" + fix);
        }
        accessor.recordSchema(schema.fingerprint(), schema.toJson());
    }

    /** What {@code next} does to the properties of {@code stored}. */
    private static List<Difference> differences(ProfileSchema stored, ProfileSchema next) {
        List<Difference> differences = new ArrayList<>();
        for (PropertyDefinition old : stored.definitions()) {
            PropertyDefinition taker = next.has(old.name()) ? next.definition(old.name()) : null;
            if (taker == null) {
                for (PropertyDefinition candidate : next.definitions()) {
                    if (candidate.renamedFrom().contains(old.name())) {
                        taker = candidate;
                    }
                }
            }
            if (taker == null) {
                if (!next.dropped().contains(old.name())) {
                    differences.add(new Difference(old.name(), old.type().name(), null));
                }
            } else if (!taker.type().equals(old.type())
                    && !taker.convertFrom().map(from -> from.equals(old.type())).orElse(false)) {
                differences.add(new Difference(old.name(), old.type().name(),
                        taker.type().name() + (taker.name().equals(old.name()) ? "" : " (as '" + taker.name() + "')")));
            }
        }
        return differences;
    }

    private static String shortly(String fingerprint) {
        return fingerprint.substring(0, Math.min(12, fingerprint.length()));
    }
}
