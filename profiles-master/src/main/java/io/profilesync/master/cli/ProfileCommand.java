package io.profilesync.master.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.profilesync.core.AppliedBatches;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.ProfilesException;
import io.profilesync.core.UserIds;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.populators.ProfileSchema;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code profile show|export|import}: read and move stored profiles. Export and import use JSON lines, one object per
 * profile: {@code {"userId":"…","version":3,"savedAt":"2026-01-01T00:00:00Z","schema":"…","data":{…}}}, where
 * {@code schema} is the fingerprint of the schema the row was written with (null when not recorded). They open H2 and SQLite
 * files directly: stop the master first.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show, export and import stored profiles.",
        subcommands = {ProfileCommand.Show.class, ProfileCommand.Export.class, ProfileCommand.Import.class})
final class ProfileCommand {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ProfileCommand() {
    }

    /** Shared by the subcommands: settings, the schema, the database. */
    abstract static class Base implements Callable<Integer> {
        @Mixin
        Main.ConfigOption config;

        @Spec
        CommandSpec spec;

        Settings settings;

        @Override
        public final Integer call() throws Exception {
            Logging.configure(false);
            settings = Main.ConfigOption.load(spec);
            checkArguments();
            Optional<AdminClient> admin = AdminClient.find(settings);
            if (admin.isPresent()) {
                return runRemote(admin.get());
            }
            try (JdbiProfilesAccessor accessor = Databases.open(settings)) {
                return run(accessor);
            }
        }

        abstract Integer run(JdbiProfilesAccessor accessor) throws Exception;

        /** Runs through the running master's admin API ({@link AdminApi}); by default: refused, stop the master. */
        Integer runRemote(AdminClient admin) throws Exception {
            throw new UsageException("profile " + spec.name() + " does not run through a running master yet: stop "
                    + "the master at " + admin.base() + " first (the command opens the database directly)");
        }

        /** Refuses arguments that cannot work before the database is opened (or created); none by default. */
        void checkArguments() {
        }

        ProfileSchema schema() {
            return settings.schemaFile().map(ProfileSchema::load).orElseGet(ProfileSchema::demo);
        }

        PrintWriter out() {
            return spec.commandLine().getOut();
        }
    }

    @Command(name = "show", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Print the stored profile of USER as JSON (exit code 3 when none).")
    static final class Show extends Base {
        @Parameters(paramLabel = "USER", converter = UserIdArgument.class, description = "the user id")
        String user;

        /**
         * Reads the row with the schema it was written with (recorded in the database), so what is shown is what
         * is stored, whatever schema the configuration names now; says which schema that was.
         */
        @Override
        Integer runRemote(AdminClient admin) throws IOException {
            AdminClient.Response response = admin.get("/admin/profiles/" + AdminClient.segment(user));
            if (response.status() == 404) {
                spec.commandLine().getErr().println("profilesync: no profile stored for user '" + user + "'");
                spec.commandLine().getErr().flush();
                return ExitCodes.NOT_FOUND;
            }
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.base() + " could not show '" + user
                        + "': " + response.field("error"));
            }
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(JSON.readTree(response.body())));
            out().flush();
            return ExitCodes.OK;
        }

        @Override
        Integer run(JdbiProfilesAccessor accessor) throws Exception {
            Optional<StoredProfile> row = accessor.findStored(user);
            if (row.isEmpty()) {
                spec.commandLine().getErr().println("profilesync: no profile stored for user '" + user + "'");
                spec.commandLine().getErr().flush();
                return ExitCodes.NOT_FOUND;
            }
            ProfileSchema configured = schema();
            String writtenWith = row.get().schemaFingerprint();
            ProfileSchema readWith = configured;
            String note = "read with the configured schema " + configured.fingerprint();
            if (writtenWith == null) {
                note = "the row records no schema (written before profilesync recorded them); " + note;
            } else if (!writtenWith.equals(configured.fingerprint())) {
                Optional<String> stored = accessor.storedSchema(writtenWith);
                if (stored.isPresent()) {
                    readWith = ProfileSchema.fromJson(stored.get());
                    note = "read with the schema it was written with, " + writtenWith + " (the configured schema is "
                            + configured.fingerprint() + ")";
                } else {
                    note = "written with schema " + writtenWith + ", which the database does not record; " + note;
                }
            }
            ObservableServerProfile profile = readWith.newServerProfile(user);
            row.get().applyTo(profile);
            ObjectNode shown = JSON.createObjectNode();
            shown.put("userId", user);
            shown.put("version", profile.storedVersion());
            shown.put("schema", readWith.fingerprint());
            shown.put("writtenWithSchema", writtenWith);
            shown.set("data", JSON.readTree(profile.toJson()));
            out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(shown));
            out().flush();
            spec.commandLine().getErr().println("profilesync: " + note);
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "export", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = "Write every stored profile as JSON lines: userId, version, savedAt, "
                    + "data (to standard output unless --out).")
    static final class Export extends Base {
        @Option(names = "--out", paramLabel = "FILE", description = "the file to write (replaced if it exists)")
        Path out;

        @Override
        Integer runRemote(AdminClient admin) throws IOException {
            AdminClient.Response response = admin.get("/admin/profiles");
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.base() + " could not export: "
                        + response.field("error"));
            }
            long count = response.body().lines().filter(line -> !line.isBlank()).count();
            if (out == null) {
                System.out.print(response.body());
                System.out.flush();
            } else {
                Files.writeString(out, response.body(), StandardCharsets.UTF_8);
            }
            spec.commandLine().getErr().println("Exported " + count + " profile(s)"
                    + (out == null ? "" : " to " + out.toAbsolutePath()) + " through the running master at "
                    + admin.base());
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }

        @Override
        Integer run(JdbiProfilesAccessor accessor) throws IOException {
            long[] count = {0};
            try (Writer writer = out == null
                    ? new BufferedWriter(new OutputStreamWriter(unclosable(System.out), StandardCharsets.UTF_8))
                    : Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
                accessor.forEachStored(row -> {
                    try {
                        writer.write(JSON.writeValueAsString(line(row)));
                        writer.write('\n');
                        count[0]++;
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
                writer.flush();
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
            spec.commandLine().getErr().println("Exported " + count[0] + " profile(s)"
                    + (out == null ? "" : " to " + out.toAbsolutePath()));
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }

        /** Standard output stays open after the export (closing the writer only flushes it). */
        private static OutputStream unclosable(OutputStream out) {
            return new FilterOutputStream(out) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                }

                @Override
                public void close() throws IOException {
                    flush();
                }
            };
        }

        private static ObjectNode line(StoredProfile row) {
            ObjectNode node = JSON.createObjectNode();
            node.put("userId", row.userId());
            node.put("version", row.version());
            node.put("savedAt", row.savedAt().toString());
            node.put("schema", row.schemaFingerprint()); // the schema it was written with; null: not recorded
            try {
                node.set("data", JSON.readTree(row.json()));
            } catch (JsonProcessingException e) {
                throw new ProfileFormatException("the stored profile of '" + row.userId() + "' is not valid JSON ("
                        + e.getOriginalMessage() + "); mend or delete the row (docs/databases.md)", e);
            }
            return node;
        }
    }

    @Command(name = "import", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Store the profiles of a JSON lines FILE (as written by export), "
                + "each checked against the schema first; all in one transaction.",
                "Refuses to replace profiles that already exist unless --overwrite."})
    static final class Import extends Base {
        /** How many problems a refused import lists. */
        static final int SHOWN_PROBLEMS = 200;

        @Parameters(paramLabel = "FILE", description = "JSON lines: userId, version, savedAt, data")
        Path file;

        @Option(names = "--overwrite", description = "replace profiles that already exist")
        boolean overwrite;

        @Override
        void checkArguments() {
            if (!Files.isRegularFile(file)) {
                throw new UsageException("cannot import " + file.toAbsolutePath().normalize() + ": "
                        + (Files.exists(file) ? "not a file" : "no such file") + "; give the path of a JSON lines "
                        + "file, such as one written by `profile export --out FILE`");
            }
            if (!Files.isReadable(file)) {
                throw new UsageException("cannot import " + file.toAbsolutePath().normalize() + ": not readable; "
                        + "check its permissions");
            }
        }

        @Override
        Integer run(JdbiProfilesAccessor accessor) throws IOException {
            ProfileSchema schema = schema();
            List<StoredProfile> rows = new ArrayList<>();
            Map<String, Integer> lineOfUser = new LinkedHashMap<>();
            Set<String> users = lineOfUser.keySet();
            List<String> problems = new ArrayList<>();
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
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
            }
            if (!problems.isEmpty()) {
                throw refusal(problems);
            }
            Set<String> existing = new TreeSet<>();
            accessor.forEachStored(row -> {
                if (users.contains(row.userId())) {
                    existing.add(row.userId());
                }
            });
            if (!existing.isEmpty() && !overwrite) {
                throw new ImportException(existing.size() + " of the " + rows.size() + " profile(s) in " + file
                        + " already exist in the database (" + String.join(", ", existing.stream().limit(5).toList())
                        + (existing.size() > 5 ? ", …" : "") + "): nothing imported. Add --overwrite to replace them.");
            }
            accessor.recordSchema(schema.fingerprint(), schema.toJson()); // the rows were checked against it
            accessor.importStored(rows);
            spec.commandLine().getErr().println("Imported " + rows.size() + " profile(s) from " + file
                    + (existing.isEmpty() ? "" : ", replacing " + existing.size()));
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }

        /**
         * The row of one line, or null; every problem of the line goes into {@code problems} (so the user fixes the
         * whole file in one pass): its shape, the user id, each property the schema does not have, each value of
         * the wrong type, each broken constraint.
         */
        private StoredProfile parse(String text, int number, ProfileSchema schema, List<String> problems) {
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
        private ImportException refusal(List<String> problems) {
            StringBuilder message = new StringBuilder(file + ": nothing imported, " + problems.size()
                    + " problem(s) to fix first:");
            problems.stream().limit(SHOWN_PROBLEMS).forEach(problem -> message.append("\n  ").append(problem));
            if (problems.size() > SHOWN_PROBLEMS) {
                message.append("\n  … and ").append(problems.size() - SHOWN_PROBLEMS).append(" more");
            }
            return new ImportException(message.toString());
        }
    }
}
