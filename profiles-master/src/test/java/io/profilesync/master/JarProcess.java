package io.profilesync.master;

import static org.assertj.core.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The executable jar ({@code target/profiles-master.jar}, built in the package phase) run as a separate process, for
 * the integration tests: its merged output is collected line by line, and a test waits for a line (no fixed sleeps).
 */
final class JarProcess implements AutoCloseable {
    static final Path JAR = Path.of(System.getProperty("profilesync.jar", "target/profiles-master.jar"))
            .toAbsolutePath();
    private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

    private final Process process;
    private final List<String> lines = new ArrayList<>();
    private boolean ended; // guarded by lines: the output is closed and every line read

    private JarProcess(Process process) {
        this.process = process;
        Thread reader = new Thread(this::read, "jar-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code java -jar profiles-master.jar args…} in {@code workDir}, stdout and stderr merged. */
    static JarProcess start(Path workDir, String... args) throws IOException {
        return start(workDir, Map.of(), args);
    }

    /** As {@link #start(Path, String...)}, with these environment variables added. */
    static JarProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        ProcessBuilder builder = builder(workDir, args).redirectErrorStream(true);
        builder.environment().putAll(env);
        return new JarProcess(builder.start());
    }

    /** The outcome of a command run to its end: its exit code, standard output and standard error apart. */
    record Result(int exitCode, String out, String err) {
    }

    /** Runs a command to its end (at most {@code timeout}). */
    static Result run(Path workDir, Duration timeout, String... args) throws Exception {
        return run(workDir, timeout, Map.of(), args);
    }

    /** As {@link #run(Path, Duration, String...)}, with these environment variables added. */
    static Result run(Path workDir, Duration timeout, Map<String, String> env, String... args) throws Exception {
        Path out = Files.createTempFile(workDir, "out", ".txt");
        Path err = Files.createTempFile(workDir, "err", ".txt");
        ProcessBuilder builder = builder(workDir, args).redirectOutput(out.toFile()).redirectError(err.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("the jar did not finish within " + timeout + ": " + List.of(args) + "\n" + Files.readString(err));
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private static ProcessBuilder builder(Path workDir, String... args) {
        List<String> command = new ArrayList<>(List.of(JAVA, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile());
    }

    private void read() {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                StandardCharsets.UTF_8))) {
            String line;
            while ((line = in.readLine()) != null) {
                synchronized (lines) {
                    lines.add(line);
                    lines.notifyAll();
                }
            }
        } catch (IOException e) {
            // The process was killed: what was read is all there is.
        } finally {
            synchronized (lines) {
                ended = true;
                lines.notifyAll();
            }
        }
    }

    /** Waits for a line matching {@code regex}; fails, showing the output, on timeout or when the process ends. */
    Matcher awaitLine(String regex, Duration timeout) throws InterruptedException {
        Pattern pattern = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lines) {
            int seen = 0;
            while (true) {
                for (; seen < lines.size(); seen++) {
                    Matcher m = pattern.matcher(lines.get(seen));
                    if (m.find()) {
                        return m;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0 || ended) {
                    return fail("no line matching /" + regex + "/ within " + timeout + " (process "
                            + (process.isAlive() ? "running" : "exited " + process.exitValue()) + "); output:\n"
                            + output());
                }
                lines.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(Math.min(left, 200_000_000))));
            }
        }
    }

    /**
     * Sends SIGTERM and returns the exit code; fails after {@code timeout}. {@code ProcessHandle.destroy()} sends
     * SIGTERM on Linux like {@link Process#destroy()}, but leaves the output open so its last lines can be read
     * ({@code Process.destroy()} closes it).
     */
    int terminate(Duration timeout) throws InterruptedException {
        process.toHandle().destroy();
        return awaitExit("SIGTERM", timeout);
    }

    /** Sends SIGINT (what Ctrl-C sends) with {@code kill -INT} and returns the exit code. */
    int interrupt(Duration timeout) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(process.pid())).inheritIO().start();
        if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
            fail("kill -INT " + process.pid() + " failed");
        }
        return awaitExit("SIGINT", timeout);
    }

    /**
     * Kills the process with SIGKILL, as a crash or {@code kill -9} would: no shutdown hook runs, nothing is saved on
     * the way out. Returns once it is gone, and fails unless it died of SIGKILL (exit value 128 + 9): that is what
     * {@code ProcessHandle.destroyForcibly()} sends on Linux, and the check keeps a platform that sends something
     * gentler from passing for a crash. Like {@link #terminate}, it leaves the output open to read its last lines.
     */
    void kill(Duration timeout) throws InterruptedException {
        process.toHandle().destroyForcibly();
        int exit = awaitExit("SIGKILL", timeout);
        if (exit != 128 + 9) {
            fail("the jar was killed with destroyForcibly() but exited " + exit + ", not 137 (SIGKILL); output:\n"
                    + output());
        }
    }

    private int awaitExit(String signal, Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            fail("the jar did not stop within " + timeout + " of " + signal + "; output:\n" + output());
        }
        return process.exitValue();
    }

    String output() {
        synchronized (lines) {
            return String.join("\n", lines);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** A port free on 127.0.0.1 right now (the jar must log a known port, so port 0 will not do). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }
}
