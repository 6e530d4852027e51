package io.profilesync.testing;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.opentest4j.TestAbortedException;

/**
 * Gives tests a real PostgreSQL: one throwaway {@link PostgresCluster}, started the first time a test class using this
 * extension runs and shared by every class of the test run, stopped when the run ends. Inject it as a parameter of
 * type {@link PostgresCluster} (constructor, lifecycle or test method), or call {@link #cluster()}.
 *
 * <p>When the machine has no PostgreSQL binaries: with the environment variable {@code CI=true} the tests fail,
 * saying so; elsewhere they are skipped with a message saying how to install PostgreSQL.
 *
 * <p>Threading: thread-safe; the cluster is started once even if classes run in parallel.
 */
public final class PostgresExtension implements ExecutionCondition, BeforeAllCallback, ParameterResolver {
    private static PostgresCluster cluster;
    private static Throwable startFailure;
    private static boolean skipNoticePrinted;

    /** Without binaries and outside CI: every test is reported as skipped, with the reason (printed once too). */
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (PostgresCluster.findBinaries().isPresent() || "true".equalsIgnoreCase(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("PostgreSQL binaries found, or CI=true (then they must be)");
        }
        String reason = missingPostgres(System.getenv("CI")).getMessage();
        synchronized (PostgresExtension.class) {
            if (!skipNoticePrinted) {
                skipNoticePrinted = true;
                System.err.println(reason);
            }
        }
        return ConditionEvaluationResult.disabled(reason);
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        PostgresCluster started = startOnce();
        // Closed by JUnit when the whole run ends (the root store closes its AutoCloseable values).
        context.getRoot().getStore(ExtensionContext.Namespace.create(PostgresExtension.class))
                .getOrComputeIfAbsent("cluster", key -> new ClusterStopper(started), ClusterStopper.class);
    }

    /** The shared cluster, started if needed; fails or skips the calling test as the class comment says. */
    public static synchronized PostgresCluster cluster() throws Exception {
        return startOnce();
    }

    private static synchronized PostgresCluster startOnce() throws Exception {
        if (cluster != null) {
            return cluster;
        }
        if (startFailure != null) {
            throw new IllegalStateException("the test PostgreSQL cluster failed to start earlier in this run",
                    startFailure);
        }
        Optional<Path> bin = PostgresCluster.findBinaries();
        if (bin.isEmpty()) {
            throw missingPostgres(System.getenv("CI"));
        }
        try {
            cluster = PostgresCluster.start(bin.get());
        } catch (Exception e) {
            startFailure = e;
            throw e;
        }
        return cluster;
    }

    /**
     * What to do without PostgreSQL binaries: with {@code CI=true} (the value of {@code ciEnv}) fail, saying how to
     * install them; elsewhere skip, saying the same.
     */
    static RuntimeException missingPostgres(String ciEnv) {
        if ("true".equalsIgnoreCase(ciEnv)) {
            return new IllegalStateException("CI=true and " + PostgresCluster.howToInstall()
                    + " CI must run the PostgreSQL tests: install the package in the CI script.");
        }
        return new TestAbortedException("skipping the PostgreSQL tests: " + PostgresCluster.howToInstall()
                + " (they run whenever the binaries are there; with CI=true their absence fails the build)");
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == PostgresCluster.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        try {
            return cluster();
        } catch (Exception e) {
            throw new ParameterResolutionException("cannot start the test PostgreSQL cluster: " + e.getMessage(), e);
        }
    }

    /** Stops the shared cluster at the end of the run. */
    private static final class ClusterStopper implements AutoCloseable {
        private final PostgresCluster cluster;

        ClusterStopper(PostgresCluster cluster) {
            this.cluster = cluster;
        }

        @Override
        public void close() {
            cluster.close();
        }
    }
}
