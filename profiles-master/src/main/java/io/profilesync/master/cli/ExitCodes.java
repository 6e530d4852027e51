package io.profilesync.master.cli;

/**
 * The exit codes of the master's command line; {@code docs/configuration.md} lists them too.
 *
 * <p>Constants only; thread-safe.
 */
public final class ExitCodes {
    /** Done; for {@code serve}: stopped by SIGTERM or Ctrl-C after saving every dirty profile. */
    public static final int OK = 0;
    /** Something failed at run time: the port is taken, the database cannot be reached, an import was refused. */
    public static final int FAILURE = 1;
    /** A bad setting, schema file or command line; the one message printed names the key and what is allowed. */
    public static final int CONFIGURATION = 2;
    /** {@code profile show USER}: no profile is stored for that user. */
    public static final int NOT_FOUND = 3;

    private ExitCodes() {
    }
}
