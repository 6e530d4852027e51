package io.profilesync.master.cli;

import io.profilesync.core.InvalidUserIdException;
import io.profilesync.core.ProfilesException;
import io.profilesync.populators.SchemaException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The executable jar's entry point: {@code java -jar profiles-master.jar [COMMAND] [--config FILE]}. With no command
 * it serves. Exit codes: {@link ExitCodes}.
 */
@Command(name = "profiles-master", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        sortOptions = false, usageHelpAutoWidth = true,
        description = {"The profilesync master server and its admin commands.",
            "With no command it serves: embedded H2 under ./data and the built-in demo schema unless --config says "
                + "otherwise (settings: docs/configuration.md)."},
        subcommands = {ServeCommand.class, ProfileCommand.class, BackupCommand.class, RestoreCommand.class,
            PeersCommand.class, TokenCommand.class,
            CommandLine.HelpCommand.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:done; serve: stopped by SIGTERM or Ctrl-C after saving every changed profile",
            "1:failed at run time (port taken, database unreachable, import refused, profiles left unsaved)",
            "2:bad configuration, schema file or command line (one message names the key)",
            "3:profile show: no profile stored for that user"})
/** Threading: runs on the main thread; on SIGTERM or Ctrl-C a shutdown hook stops the master on its own thread. */
public final class Main implements Callable<Integer> {
    @Mixin
    ConfigOption config;

    @Spec
    CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (for tests; {@link #main} exits with it). */
    public static int run(String... args) {
        return commandLine().execute(args);
    }

    static CommandLine commandLine() {
        CommandLine line = new CommandLine(new Main());
        line.setExecutionExceptionHandler(Main::handle);
        line.setParameterExceptionHandler(Main::handleParameters);
        return line;
    }

    /** No command: serve. */
    @Override
    public Integer call() {
        return new ServeCommand(spec).call();
    }

    /**
     * A command line picocli cannot parse (unknown option, missing or bad argument): one line naming the mistake and
     * where the usage is, exit code 2.
     */
    private static int handleParameters(CommandLine.ParameterException e, String[] args) {
        CommandLine line = e.getCommandLine();
        PrintWriter err = line.getErr();
        err.println("profilesync: " + e.getMessage() + " (usage: " + line.getCommandSpec().qualifiedName()
                + " --help)");
        err.flush();
        return ExitCodes.CONFIGURATION;
    }

    /** One message on standard error, the exit code of {@link ExitCodes}; a stack trace only for bugs. */
    private static int handle(Exception e, CommandLine line, CommandLine.ParseResult parsed) {
        PrintWriter err = line.getErr();
        Throwable cause = e instanceof UncheckedIOException unchecked ? unchecked.getCause() : e;
        if (e instanceof ConfigException || e instanceof SchemaException) {
            err.println("profilesync: bad configuration: " + e.getMessage());
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        if (e instanceof UsageException || e instanceof InvalidUserIdException) {
            err.println("profilesync: " + e.getMessage());
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        if (cause instanceof FileSystemException file) {
            // Every file a command touches is one the user named (--out, an import file, backup.directory, the
            // database path): a missing folder or a permission is theirs to fix, not a bug.
            err.println("profilesync: " + describe(file));
            err.flush();
            return ExitCodes.CONFIGURATION;
        }
        if (e instanceof ProfilesException) {
            err.println("profilesync: " + e.getMessage());
            err.flush();
            return ExitCodes.FAILURE;
        }
        err.println("profilesync: unexpected failure (a bug: please report it with this trace)");
        e.printStackTrace(err);
        err.flush();
        return ExitCodes.FAILURE;
    }

    /** "cannot write /x/y.jsonl: permission denied; ..." for the file problems of {@link #handle}. */
    static String describe(FileSystemException e) {
        String file = e.getFile() == null ? "a file" : Path.of(e.getFile()).toAbsolutePath().normalize().toString();
        String why;
        if (e instanceof NoSuchFileException) {
            why = "no such file or folder";
        } else if (e instanceof AccessDeniedException) {
            why = "permission denied";
        } else if (e instanceof NotDirectoryException) {
            why = "a part of the path is not a folder";
        } else if (e instanceof FileAlreadyExistsException) {
            why = "it already exists";
        } else if (e instanceof DirectoryNotEmptyException) {
            why = "the folder is not empty";
        } else {
            why = e.getReason() == null ? e.getClass().getSimpleName() : e.getReason();
        }
        String other = e.getOtherFile() == null ? "" : " (and " + e.getOtherFile() + ")";
        return "cannot use " + file + other + ": " + why + "; check the path, that its folder exists, and its "
                + "permissions";
    }

    /** The {@code --config FILE} option every command takes; a command given none uses its parent's. */
    static final class ConfigOption {
        @Option(names = "--config", paramLabel = "FILE",
                description = "YAML settings (docs/configuration.md); default: built-in defaults")
        Path file;

        /** The settings of the nearest {@code --config} from this command up, or the defaults. */
        static Settings load(CommandSpec spec) {
            for (CommandSpec s = spec; s != null; s = s.parent()) {
                CommandSpec mixin = s.mixins().get("config");
                if (mixin != null && mixin.userObject() instanceof ConfigOption option && option.file != null) {
                    return Settings.load(option.file, System.getenv());
                }
            }
            return Settings.defaults(System.getenv());
        }
    }

    /** {@code --version}: the version in the jar's manifest. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"profilesync master " + (version == null ? "(development build)" : version),
                "Java " + System.getProperty("java.version") + " (" + System.getProperty("java.vm.name") + ")"};
        }
    }
}
