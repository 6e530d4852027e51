package io.profilesync.master.cli;

import io.profilesync.db.BackupNotSupportedException;
import io.profilesync.db.JdbiProfilesAccessor;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code backup}: backs the configured H2 or SQLite database up now; for PostgreSQL it prints how to use pg_dump. */
@Command(name = "backup", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"Back the database up now (H2: a zip, SQLite: a copy) into "
        + "backup.directory, keeping the newest backup.keep files.",
    "PostgreSQL: prints the pg_dump command to use instead (exit code 1).",
    "H2 and SQLite files are opened directly: stop the master first."})
final class BackupCommand implements Callable<Integer> {
    @Mixin
    Main.ConfigOption config;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        Logging.configure(false);
        Settings settings = Main.ConfigOption.load(spec);
        if (settings.databaseUrl().toLowerCase(Locale.ROOT).startsWith("jdbc:postgresql:")) {
            printPgDumpAdvice(settings.databaseUrl());
            return ExitCodes.FAILURE;
        }
        Optional<AdminClient> admin = AdminClient.find(settings);
        if (admin.isPresent()) {
            AdminClient.Response response = admin.get().post("/admin/backup");
            if (response.status() != 200) {
                throw new AdminException("the running master at " + admin.get().base() + " could not back up: "
                        + response.field("error"));
            }
            String file = response.field("file");
            spec.commandLine().getOut().println("Backup written to " + file + " by the running master");
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
        try (JdbiProfilesAccessor accessor = Databases.open(settings)) {
            Path file = accessor.backupNow();
            spec.commandLine().getOut().println("Backup written to " + file.toAbsolutePath().normalize());
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        } catch (BackupNotSupportedException e) {
            spec.commandLine().getErr().println("profilesync: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return ExitCodes.FAILURE;
        }
    }

    private void printPgDumpAdvice(String jdbcUrl) {
        // pg_dump takes a libpq URI: the JDBC URL without "jdbc:" and without the JDBC driver's parameters.
        String uri = jdbcUrl.substring("jdbc:".length());
        int query = uri.indexOf('?');
        if (query >= 0) {
            uri = uri.substring(0, query);
        }
        var err = spec.commandLine().getErr();
        err.println("profilesync: PostgreSQL is backed up with its own tools, not by profilesync. For example:");
        err.println("  pg_dump --format=custom --file=profiles-$(date +%F).dump '" + uri + "'");
        err.println("(add --username or set PGPASSWORD as needed); restore with: pg_restore --dbname='" + uri
                + "' --clean profiles-DATE.dump");
        err.flush();
    }
}
