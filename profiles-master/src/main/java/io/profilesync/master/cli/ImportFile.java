package io.profilesync.master.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.profilesync.core.AppliedBatches;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.UserIds;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.populators.ProfileSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A JSON lines file of profiles as {@code profile export} writes them, checked against a schema: the one reader of
 * {@code profile import} with the master stopped and of the admin API's import on a running master, so both accept
 * and refuse exactly the same files. Stateless.
 */
final class ImportFile {
    /** How many problems a refused import lists. */
    static final int SHOWN_PROBLEMS = 200;

    private static final ObjectMapper JSON = new ObjectMapper();

    private ImportFile() {
    }

    /**
     * The rows of the file, each checked against {@code schema}.
     *
     * @param name the file, as messages name it
     * @throws ImportException listing every problem with its line (the first {@value #SHOWN_PROBLEMS}): its shape,
     *     the user id, each property the schema does not have, each value of the wrong type, each broken constraint,
     *     a user twice; nothing is to be imported then
     */
    static List<StoredProfile> read(BufferedReader reader, String name, ProfileSchema schema) throws IOException {
        List<StoredProfile> rows = new ArrayList<>();
        Map<String, Integer> lineOfUser = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        String text;
        int number = 0;
        while ((text = reader.readLine()) != null) {
            number++;
            if (text.isBlank()) {
                continue;
            }
            int problemsBefore = problems.size();
            StoredProfile row = parse(text, number, schema, problems);
            if (row == null || problems.size() > problemsBefore) {
                continue;
            }
            Integer first = lineOfUser.putIfAbsent(row.userId(), number);
            if (first != null) {
                problems.add("line " + number + ": user '" + row.userId() + "' appears twice (first on line "
                        + first + ")");
                continue;
            }
            rows.add(row);
        }
        if (!problems.isEmpty()) {
            throw refusal(name, problems);
        }
        return rows;
    }

    /** The users of {@code rows} that have a stored profile already, sorted. */
    static Set<String> stored(JdbiProfilesAccessor accessor, Collection<StoredProfile> rows) {
        Set<String> users = new TreeSet<>();
        rows.forEach(row -> users.add(row.userId()));
        Set<String> existing = new TreeSet<>();
        accessor.forEachStored(row -> {
            if (users.contains(row.userId())) {
                existing.add(row.userId());
            }
        });
        return existing;
    }

    /** The refusal of an import that would replace {@code existing} profiles without {@code --overwrite}. */
    static ImportException exists(Set<String> existing, int rows, String name, String fix) {
        return new ImportException(existing.size() + " of the " + rows + " profile(s) in " + name
                + " already exist in the database (" + String.join(", ", existing.stream().limit(5).toList())
                + (existing.size() > 5 ? ", …" : "") + "): nothing imported. " + fix);
    }

    /** The row of one line, or null; every problem of the line goes into {@code problems}. */
    private static StoredProfile parse(String text, int number, ProfileSchema schema, List<String> problems) {
        String at = "line " + number + ": ";
        JsonNode node;
        try {
            node = JSON.readTree(text);
        } catch (JsonProcessingException e) {
            problems.add(at + "not JSON: " + e.getOriginalMessage());
            return null;
        }
        if (!node.isObject() || !node.path("userId").isTextual()
                || !node.path("version").canConvertToLong() || node.path("version").asLong() < 1
                || !node.path("savedAt").isTextual() || !node.path("data").isObject()) {
            problems.add(at + "expected {\"userId\": text, \"version\": 1 or more, \"savedAt\": "
                    + "ISO instant, \"data\": object}");
            return null;
        }
        String userId = node.get("userId").asText();
        String userIdProblem = UserIds.problem(userId);
        if (userIdProblem != null) {
            problems.add(at + userIdProblem);
            return null;
        }
        Instant savedAt = null;
        try {
            savedAt = Instant.parse(node.get("savedAt").asText());
        } catch (DateTimeParseException e) {
            problems.add(at + "savedAt is not an ISO instant such as 2026-01-01T00:00:00Z");
        }
        String misfit = at + "the profile of '" + userId + "' does not fit the schema: ";
        ObservableServerProfile profile = schema.newServerProfile(userId);
        ObjectNode data = (ObjectNode) node.get("data");
        for (Map.Entry<String, JsonNode> property : data.properties()) {
            if (!schema.has(property.getKey())) {
                problems.add(misfit + "property '" + property.getKey() + "' is not in the schema ("
                        + schema.fingerprint().substring(0, 12) + "); remove it, or add it to the schema first");
                continue;
            }
            // One property at a time, so every value of the wrong type is reported, not only the first.
            try {
                profile.fromJson(JSON.createObjectNode().set(property.getKey(), property.getValue()).toString());
            } catch (ProfileFormatException e) {
                problems.add(misfit + e.getMessage());
            }
        }
        for (String violation : schema.violations(profile)) {
            problems.add(misfit + violation);
        }
        // Checked against the configured schema: written with it, unless the line names the schema it came with.
        String writtenWith = node.path("schema").isTextual() ? node.get("schema").asText() : schema.fingerprint();
        return savedAt == null ? null : new StoredProfile(userId, data.toString(), node.get("version").asLong(),
                savedAt, writtenWith, AppliedBatches.EMPTY);
    }

    /** Every problem, one per line (the first {@value #SHOWN_PROBLEMS}); nothing imported. */
    private static ImportException refusal(String name, List<String> problems) {
        StringBuilder message = new StringBuilder(name + ": nothing imported, " + problems.size()
                + " problem(s) to fix first:");
        problems.stream().limit(SHOWN_PROBLEMS).forEach(problem -> message.append("\n  ").append(problem));
        if (problems.size() > SHOWN_PROBLEMS) {
            message.append("\n  … and ").append(problems.size() - SHOWN_PROBLEMS).append(" more");
        }
        return new ImportException(message.toString());
    }
}
