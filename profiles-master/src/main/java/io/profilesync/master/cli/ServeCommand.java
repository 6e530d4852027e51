package io.profilesync.master.cli;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.profilesync.master.MasterStartException;
import io.profilesync.core.ProfilesException;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.master.MasterServer;
import io.profilesync.master.hooks.MasterPlugin;
import io.profilesync.master.hooks.PluginJars;
import io.profilesync.populators.ProfileSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code serve}: runs the master until SIGTERM or Ctrl-C, then stops accepting work, saves every changed profile,
 * logs how many, and exits 0 (1 when some could not be saved).
 *
 * <p>Shutdown order: a signal handler turns SIGTERM and SIGINT into {@code System.exit(0)}, so the JVM runs its
 * shutdown hooks and exits 0; our hook closes the HTTP endpoint, the master (which saves), the database, and Logback
 * last. Logback is configured without its own shutdown hook and H2 without {@code DB_CLOSE_ON_EXIT}, so neither
 * stops under the saves.
 */
@Command(name = "serve", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Run the master (the default command) until SIGTERM or Ctrl-C.")
final class ServeCommand implements Callable<Integer> {
    @Mixin
    Main.ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(names = "--allow-schema-drop", description = "start although the schema lacks properties that stored "
            + "profiles hold; their values stay in the rows, untouched and not served (docs/schema.md)")
    boolean allowSchemaDrop;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean stopping;
    private Logger log;
    private MasterServer master;

    ServeCommand() {
    }

    /** Serving as the default command of {@code spec}. */
    ServeCommand(CommandSpec spec) {
        this.spec = spec;
    }

    @Override
    public Integer call() {
        Logging.configure(true);
        log = LoggerFactory.getLogger(Main.class);
        Settings settings = Main.ConfigOption.load(spec);
        ProfileSchema schema = settings.schemaFile().map(ProfileSchema::load).orElseGet(ProfileSchema::demo);
        Secrets secrets = Secrets.resolve(settings);
        try {
            start(settings, schema, secrets);
        } catch (RuntimeException | IOException e) {
            stop();
            throw e instanceof RuntimeException r ? r : new MasterStartException(e.getMessage(), e);
        }
        Runtime.getRuntime().addShutdownHook(new Thread(this::shutdown, "profilesync-shutdown"));
        Signals.exitZeroOn("TERM", "INT");
        log.info("Ready. Ctrl-C or SIGTERM stops the master after saving every changed profile.");
        awaitStop();
        return ExitCodes.OK;
    }

    private void start(Settings settings, ProfileSchema schema, Secrets secrets) throws IOException {
        log.info("{} starting; settings: {}", new Main.Version().getVersion()[0],
                settings.file().map(f -> f.toAbsolutePath().toString()).orElse("built-in defaults (no --config)"));
        JdbiProfilesAccessor accessor = Databases.open(settings);
        resources.add(accessor);
        // A database that cannot take a save must stop the start, not show up as lost changes at shutdown.
        accessor.checkWritable();
        log.info("Database: {} (backups: {})", Databases.safeUrl(settings.databaseUrl()),
                settings.databaseConfig().backupInterval().isZero() ? "only on `backup`"
                        : "every " + Units.format(settings.databaseConfig().backupInterval()));
        String schemaName = settings.schemaFile().map(f -> f.toAbsolutePath().toString()).orElse("built-in demo");
        log.info("Schema: {} ({} properties, fingerprint {})", schemaName, schema.size(), schema.fingerprint());
        SchemaCheck.checkAndRecord(schema, schemaName, accessor, allowSchemaDrop, log);
        log.info("Secrets: {}", secrets.description());
        PrometheusMeterRegistry prometheus = null;
        MeterRegistry registry = null;
        if (settings.metricsEnabled()) {
            prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
            registry = prometheus;
            if (settings.jvmMetrics()) {
                bindJvmMetrics(prometheus);
            }
        }
        List<Path> pluginJars = settings.pluginJars();
        List<MasterPlugin> plugins = PluginJars.load(pluginJars);
        log.info("Plugins: {}", plugins.isEmpty() ? "none (put plugin jars in plugins.directory, or name them in "
                + "plugins.jars)" : plugins.size() + " from " + pluginJars);
        master = MasterServer.start(settings.masterConfig(secrets.tokenSecret(), secrets.gameServerSecrets(),
                registry, plugins), schema, accessor);
        resources.add(0, master); // closed before the database
        if (secrets.tokenSecret() != null) {
            log.info("Mint a client token: java -jar profiles-master.jar token mint USER{}", settings.file()
                    .map(f -> " --config " + f).orElse(""));
        }
        if (prometheus != null) {
            HttpEndpoint http = HttpEndpoint.start(settings.metricsHost(), settings.metricsPort(), prometheus,
                    new HealthCheck(master, accessor, () -> stopping), settings.adminToken()
                            .map(token -> new AdminApi(token, master, accessor, schema)).orElse(null));
            resources.add(0, http);
            log.info("HTTP endpoint: http://{}:{}/health and /metrics{}", settings.metricsHost(), http.port(),
                    settings.adminToken().isPresent() ? ", admin API under /admin/" : "");
        } else {
            log.info("HTTP endpoint: off (metrics.enabled: true serves /health and /metrics)");
        }
    }

    private static void bindJvmMetrics(MeterRegistry registry) {
        new ClassLoaderMetrics().bindTo(registry);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        @SuppressWarnings("resource") // lives as long as the process
        JvmGcMetrics gc = new JvmGcMetrics();
        gc.bindTo(registry);
    }

    private void awaitStop() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The shutdown hook: stop, then stop Logback last; exit 1 when profiles were left unsaved. */
    private void shutdown() {
        log.info("Stopping (signal or exit)");
        boolean allSaved = stop();
        log.info("profilesync master stopped");
        Logging.stop();
        stopped.countDown();
        if (!allSaved) {
            Runtime.getRuntime().halt(ExitCodes.FAILURE);
        }
    }

    /** Closes what was started, newest first; whether every dirty profile was saved. */
    private synchronized boolean stop() {
        stopping = true;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                log.error("Closing {} failed", resource.getClass().getSimpleName(), e);
            }
        }
        resources.clear();
        return master == null || master.stats().dirtyProfiles() == 0;
    }
}
