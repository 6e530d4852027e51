package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.profilesync.db.BackupContents;
import io.profilesync.db.JdbiProfilesAccessor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code restore FILE}: makes the database's profiles exactly those of a backup made by {@code backup} (see
 * {@link Restore}): through the running master's admin API when it answers (refused while game servers or clients
 * are connected), else directly into the database.
 */
@Command(name = "restore", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Replace every stored profile with those of a backup FILE made by `backup` (H2 zip or "
            + "SQLite file; into any database), after backing the database up as it is (H2, SQLite).",
            "A running master (admin API) does it itself, refusing while game servers or clients are connected;",
            "otherwise the database is opened directly: H2 and SQLite need the master stopped."})
final class RestoreCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    Main.ConfigOption config;

    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "FILE", description = "a backup file, from backup.directory")
    Path file;

    @Override
    public Integer call() throws Exception {
        Logging.configure(false);
        Settings settings = Main.ConfigOption.load(spec);
        Path backup = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(backup)) {
            throw new UsageException("cannot restore " + backup + ": " + (Files.exists(backup) ? "not a file"
                    : "no such file") + "; give a backup file from backup.directory (written by `backup`)");
        }
        Optional<AdminClient> admin = AdminClient.find(settings);
        if (admin.isPresent()) {
            AdminClient.Response response = admin.get().post("/admin/restore", JSON.createObjectNode()
                    .put("file", backup.toString()).toString(), "application/json");
            if (response.status() == 400) {
                throw new UsageException(response.field("error"));
            }
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.get().base() + " did not restore "
                        + backup + ": " + response.field("error"));
            }
            String before = response.field("before");
            report(Integer.parseInt(response.field("restored")), "null".equals(before) ? null : before,
                    " by the running master at " + admin.get().base());
            return ExitCodes.OK;
        }
        BackupContents contents;
        try {
            contents = BackupContents.read(backup);
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        try (JdbiProfilesAccessor accessor = Databases.open(settings)) {
            Restore.Result result = Restore.into(accessor, contents, null);
            report(result.profiles(), result.before() == null ? null : result.before().toString(), "");
        }
        return ExitCodes.OK;
    }

    private void report(int profiles, String before, String how) {
        spec.commandLine().getOut().println("Restored " + profiles + " profile(s) from " + file.toAbsolutePath()
                .normalize() + how + (before == null ? "" : "; the database as it was is backed up in " + before));
        spec.commandLine().getOut().flush();
    }
}
