package io.profilesync.master.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.ProfilesException;
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
import java.util.LinkedHashSet;
import java.util.List;
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
            try (JdbiProfilesAccessor accessor = Databases.open(settings)) {
                return run(accessor);
            }
        }

        abstract Integer run(JdbiProfilesAccessor accessor) throws Exception;

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
        @Parameters(paramLabel = "USER", description = "the user id")
        String user;

        /**
         * Reads the row with the schema it was written with (recorded in the database), so what is shown is what
         * is stored, whatever schema the configuration names now; says which schema that was.
         */
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
        @Parameters(paramLabel = "FILE", description = "JSON lines: userId, version, savedAt, data")
        Path file;

        @Option(names = "--overwrite", description = "replace profiles that already exist")
        boolean overwrite;

        @Override
        Integer run(JdbiProfilesAccessor accessor) throws IOException {
            ProfileSchema schema = schema();
            List<StoredProfile> rows = new ArrayList<>();
            Set<String> users = new LinkedHashSet<>();
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String text;
                int number = 0;
                while ((text = reader.readLine()) != null) {
                    number++;
                    if (text.isBlank()) {
                        continue;
                    }
                    StoredProfile row = parse(text, number, schema);
                    if (!users.add(row.userId())) {
                        throw failure(number, "user '" + row.userId() + "' appears twice");
                    }
                    rows.add(row);
                }
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

        private StoredProfile parse(String text, int number, ProfileSchema schema) {
            JsonNode node;
            try {
                node = JSON.readTree(text);
            } catch (JsonProcessingException e) {
                throw failure(number, "not JSON: " + e.getOriginalMessage());
            }
            if (!node.isObject() || !node.path("userId").isTextual() || node.path("userId").asText().isEmpty()
                    || !node.path("version").canConvertToLong() || node.path("version").asLong() < 1
                    || !node.path("savedAt").isTextual() || !node.path("data").isObject()) {
                throw failure(number, "expected {\"userId\": text, \"version\": 1 or more, \"savedAt\": "
                        + "ISO instant, \"data\": object}");
            }
            String userId = node.get("userId").asText();
            Instant savedAt;
            try {
                savedAt = Instant.parse(node.get("savedAt").asText());
            } catch (DateTimeParseException e) {
                throw failure(number, "savedAt is not an ISO instant such as 2026-01-01T00:00:00Z");
            }
            String data = node.get("data").toString();
            try {
                schema.newServerProfile(userId).fromJson(data);
            } catch (ProfileFormatException e) {
                throw failure(number, "the profile of '" + userId + "' does not fit the schema: " + e.getMessage());
            }
            // Checked against the configured schema: written with it, unless the line names the schema it came with.
            String writtenWith = node.path("schema").isTextual() ? node.get("schema").asText() : schema.fingerprint();
            return new StoredProfile(userId, data, node.get("version").asLong(), savedAt, writtenWith,
                    io.profilesync.core.AppliedBatches.EMPTY);
        }

        private ImportException failure(int line, String problem) {
            return new ImportException(file + " line " + line + ": " + problem + "; nothing imported");
        }
    }
}
