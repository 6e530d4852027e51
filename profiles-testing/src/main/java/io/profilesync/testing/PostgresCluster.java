package io.profilesync.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A throwaway PostgreSQL cluster made from the machine's PostgreSQL binaries (Debian's {@code postgresql} package):
 * {@code initdb} into a temporary folder, {@code pg_ctl start} on a free loopback port with trust authentication,
 * {@code pg_ctl -m fast stop} and the folder deleted on {@link #close()}. When the JVM runs as root the binaries run as
 * the OS user {@code postgres} (PostgreSQL refuses to run as root). No JUnit in here, so benchmarks can use it too;
 * tests use {@link PostgresExtension}.
 *
 * <p>Threading: thread-safe.
 */
public final class PostgresCluster implements AutoCloseable {
    /** The environment variable naming the folder of {@code initdb} and {@code pg_ctl}. */
    public static final String BIN_ENV = "PROFILESYNC_PG_BIN";
    private static final String SUPERUSER = "postgres";

    private final Path binDir;
    private final Path root;
    private final Path dataDir;
    private final int port;
    private final boolean asPostgresUser;
    private final AtomicInteger nextSchema = new AtomicInteger();
    private boolean stopped;
    private boolean running;

    private PostgresCluster(Path binDir, Path root, int port, boolean asPostgresUser) {
        this.binDir = binDir;
        this.root = root;
        this.dataDir = root.resolve("data");
        this.port = port;
        this.asPostgresUser = asPostgresUser;
    }

    /**
     * The folder holding {@code initdb} and {@code pg_ctl}: {@value #BIN_ENV} if set, else the newest
     * {@code /usr/lib/postgresql/<version>/bin}; empty when there is none.
     */
    public static Optional<Path> findBinaries() {
        String env = System.getenv(BIN_ENV);
        if (env != null && !env.isBlank()) {
            Path dir = Path.of(env);
            return hasBinaries(dir) ? Optional.of(dir) : Optional.empty();
        }
        Path base = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(base)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(base)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(PostgresCluster::hasBinaries)
                    .max(Comparator.comparingInt(PostgresCluster::majorVersion));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static boolean hasBinaries(Path dir) {
        return Files.isExecutable(dir.resolve("initdb")) && Files.isExecutable(dir.resolve("pg_ctl"));
    }

    private static int majorVersion(Path binDir) {
        try {
            return Integer.parseInt(binDir.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** How to get PostgreSQL when {@link #findBinaries()} finds none. */
    public static String howToInstall() {
        return "PostgreSQL binaries not found (looked at $" + BIN_ENV + " and /usr/lib/postgresql/*/bin). "
                + "Install them with 'apt-get install postgresql' (Debian/Ubuntu), or set " + BIN_ENV
                + " to the folder holding initdb and pg_ctl.";
    }

    /** Creates and starts a cluster from the binaries in {@code binDir}. */
    public static PostgresCluster start(Path binDir) throws IOException, InterruptedException {
        boolean root = "root".equals(System.getProperty("user.name"));
        Path dir = Files.createTempDirectory("profilesync-pg-");
        IOException last = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            PostgresCluster cluster = new PostgresCluster(binDir, dir, freePort(), root);
            try {
                if (attempt == 0) {
                    cluster.initdb();
                }
                cluster.pgCtlStart();
                Runtime.getRuntime().addShutdownHook(new Thread(cluster::close, "profilesync-pg-stop"));
                return cluster;
            } catch (IOException e) {
                last = e; // most likely the port was taken meanwhile: try another
            }
        }
        deleteTree(dir);
        throw last;
    }

    private void initdb() throws IOException, InterruptedException {
        if (asPostgresUser) {
            UserPrincipalLookupService users = root.getFileSystem().getUserPrincipalLookupService();
            UserPrincipal postgres = users.lookupPrincipalByName(SUPERUSER);
            Files.setOwner(root, postgres);
            Files.setPosixFilePermissions(root, PosixFilePermissions.fromString("rwx------"));
        }
        run(List.of(binDir.resolve("initdb").toString(), "-D", dataDir.toString(), "--auth=trust",
                "-U", SUPERUSER, "-E", "UTF8", "--locale=C", "--no-sync"));
    }

    private void pgCtlStart() throws IOException, InterruptedException {
        pgCtl("start", "-l", root.resolve("postgres.log").toString(), "-w", "-t", "60",
                "-o", "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1");
        running = true;
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(binDir.resolve("pg_ctl").toString(), "-D", dataDir.toString()));
        command.addAll(List.of(args));
        run(command);
    }

    private void run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (asPostgresUser) {
            full.addAll(List.of("runuser", "-u", SUPERUSER, "--"));
        }
        full.addAll(command);
        Path log = Files.createTempFile("profilesync-pg-cmd-", ".log");
        try {
            Process process = new ProcessBuilder(full).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            if (!process.waitFor(2, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new IOException("timed out after 2 minutes: " + String.join(" ", full));
            }
            if (process.exitValue() != 0) {
                String serverLog = Files.exists(root.resolve("postgres.log"))
                        ? "\nserver log:\n" + Files.readString(root.resolve("postgres.log"), StandardCharsets.UTF_8)
                        : "";
                throw new IOException("'" + String.join(" ", full) + "' exited with " + process.exitValue() + ":\n"
                        + Files.readString(log, StandardCharsets.UTF_8) + serverLog);
            }
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    public int port() {
        return port;
    }

    /** The superuser, who needs no password (trust authentication on loopback). */
    public String user() {
        return SUPERUSER;
    }

    /** The JDBC URL of the database {@code postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres";
    }

    /**
     * Creates a new empty schema and returns a JDBC URL whose connections use it: a fresh store for one test without
     * the cost of a new database.
     */
    public String newSchemaUrl() {
        String schema = "t" + nextSchema.incrementAndGet();
        try (Connection c = DriverManager.getConnection(jdbcUrl(), SUPERUSER, "");
             Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot create schema " + schema + " on " + jdbcUrl() + ": " + e, e);
        }
        return jdbcUrl() + "?currentSchema=" + schema;
    }

    /**
     * Stops the server ({@code pg_ctl -m fast stop}: open connections are cut, as in an outage) and keeps its files;
     * {@link #startServer()} starts it again on the same port with the same data. For tests of a database outage.
     */
    public synchronized void stopServer() throws IOException, InterruptedException {
        if (stopped || !running) {
            throw new IllegalStateException("the test PostgreSQL cluster in " + root + " is not running");
        }
        pgCtl("stop", "-m", "fast", "-w");
        running = false;
    }

    /** Starts the server again after {@link #stopServer()}, on the same port with the same data. */
    public synchronized void startServer() throws IOException, InterruptedException {
        if (stopped || running) {
            throw new IllegalStateException("the test PostgreSQL cluster in " + root + " is "
                    + (stopped ? "closed" : "running already"));
        }
        pgCtlStart();
    }

    /**
     * Stops the server ({@code pg_ctl -m fast stop}) unless {@link #stopServer()} did, and deletes its files.
     * Idempotent.
     */
    @Override
    public synchronized void close() {
        if (stopped) {
            return;
        }
        stopped = true;
        try {
            if (running) {
                pgCtl("stop", "-m", "fast", "-w");
            }
        } catch (IOException e) {
            System.err.println("could not stop the test PostgreSQL cluster in " + root + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        deleteTree(root);
    }

    private static void deleteTree(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + dir, e);
        }
    }
}
