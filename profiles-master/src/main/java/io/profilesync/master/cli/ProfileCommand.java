package io.profilesync.master.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
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
import java.util.List;
import java.util.Optional;
import java.util.Set;
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
 * {@code profile show|export|import|evict}: read and move stored profiles. Export and import use JSON lines, one object per
 * profile: {@code {"userId":"…","version":3,"savedAt":"2026-01-01T00:00:00Z","schema":"…","data":{…}}}, where
 * {@code schema} is the fingerprint of the schema the row was written with (null when not recorded). Each goes through
 * the running master's admin API when it answers ({@link AdminClient}); otherwise it opens the database directly (H2
 * and SQLite: with the master stopped); {@code evict} needs the running master.
 */
@Command(name = "profile", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Show, export, import and evict stored profiles.",
        subcommands = {ProfileCommand.Show.class, ProfileCommand.Export.class, ProfileCommand.Import.class,
            ProfileCommand.Evict.class})
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
            return runWithoutMaster();
        }

        /** With no master answering: opens the database directly (H2 and SQLite need the master stopped). */
        Integer runWithoutMaster() throws Exception {
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
                "Through a running master: applied as the master's own changes, pushed to the game servers and "
                + "clients that hold them, and saved like any change.",
                "Refuses to replace profiles that already exist unless --overwrite."})
    static final class Import extends Base {
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

        /** Through the running master: checked against its schema, applied and pushed to holders, then saved. */
        @Override
        Integer runRemote(AdminClient admin) throws IOException {
            AdminClient.Response response = admin.post("/admin/profiles" + (overwrite ? "?overwrite=true" : ""),
                    Files.readString(file, StandardCharsets.UTF_8), "application/x-ndjson");
            if (response.status() == 400 || response.status() == 409) {
                // The same refusal as with the master stopped, naming this file rather than "the posted file".
                throw new ImportException(response.field("error").replace("the posted file", file.toString())
                        .replace("Add --overwrite (overwrite=true)", "Add --overwrite"));
            }
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.base() + " could not import " + file
                        + ": " + response.field("error"));
            }
            String replaced = response.field("replaced");
            spec.commandLine().getErr().println("Imported " + response.field("imported") + " profile(s) from " + file
                    + ("0".equals(replaced) ? "" : ", replacing " + replaced) + " through the running master at "
                    + admin.base() + " (holders were sent the changes)");
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }

        @Override
        Integer run(JdbiProfilesAccessor accessor) throws IOException {
            ProfileSchema schema = schema();
            List<StoredProfile> rows;
            try (BufferedReader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                rows = ImportFile.read(reader, file.toString(), schema);
            }
            Set<String> existing = ImportFile.stored(accessor, rows);
            if (!existing.isEmpty() && !overwrite) {
                throw ImportFile.exists(existing, rows.size(), file.toString(), "Add --overwrite to replace them.");
            }
            accessor.recordSchema(schema.fingerprint(), schema.toJson()); // the rows were checked against it
            accessor.importStored(rows);
            spec.commandLine().getErr().println("Imported " + rows.size() + " profile(s) from " + file
                    + (existing.isEmpty() ? "" : ", replacing " + existing.size()));
            spec.commandLine().getErr().flush();
            return ExitCodes.OK;
        }
    }

    @Command(name = "evict", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Unload the profile of USER from the running master's memory, after saving it if it "
                + "has unsaved changes (refused while a game server or client holds it).",
                "Needs the running master's admin API (secrets.adminToken, metrics.enabled)."})
    static final class Evict extends Base {
        @Parameters(paramLabel = "USER", converter = UserIdArgument.class, description = "the user id")
        String user;

        @Override
        Integer runRemote(AdminClient admin) {
            AdminClient.Response response = admin.post("/admin/profiles/" + AdminClient.segment(user) + "/evict",
                    "", "application/json");
            if (response.status() == 409) {
                throw new AdminException("the running master at " + admin.base() + " did not evict '" + user + "': "
                        + response.field("error"));
            }
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.base() + " could not evict '" + user
                        + "': " + response.field("error"));
            }
            out().println("true".equals(response.field("evicted")) ? "Evicted the profile of '" + user + "' (saved "
                    + "first if it had changes)" : "The profile of '" + user + "' was not loaded: nothing to evict");
            out().flush();
            return ExitCodes.OK;
        }

        @Override
        Integer runWithoutMaster() {
            throw AdminClient.masterNeeded("profile evict");
        }

        @Override
        Integer run(JdbiProfilesAccessor accessor) {
            throw AdminClient.masterNeeded("profile evict");
        }
    }
}
