package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.db.DatabaseConfig;
import io.profilesync.master.MasterConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The YAML settings: defaults, the committed example, units, environment variables and one message per bad key. */
class SettingsTest {
    static final Path DOCS = Path.of("..", "docs");

    static Settings parse(String yaml) {
        return Settings.parse(yaml, null, Map.of());
    }

    static void assertRefused(String yaml, String message) {
        assertThatThrownBy(() -> parse(yaml)).isInstanceOf(ConfigException.class).hasMessage(message);
    }

    @Test
    void theCommittedExampleLoadsAndHoldsEveryDefault() throws Exception {
        Settings example = Settings.load(DOCS.resolve("master.example.yaml"), Map.of());
        Settings defaults = Settings.defaults(Map.of());
        for (Settings.Key key : Settings.KEYS) {
            assertThat(example.source(key.path())).as(key.path() + " is in the example")
                    .isIn("the configuration file", "the default");
        }
        String text = Files.readString(DOCS.resolve("master.example.yaml"));
        MasterConfig fromExample = example.masterConfig(null, List.of(), null);
        MasterConfig fromDefaults = defaults.masterConfig(null, List.of(), null);
        MasterConfig builderDefaults = MasterConfig.builder().build();
        for (MasterConfig config : List.of(fromExample, fromDefaults)) {
            assertThat(config.host()).isEqualTo(builderDefaults.host());
            assertThat(config.port()).isEqualTo(builderDefaults.port());
            assertThat(config.writeBufferSize()).isEqualTo(builderDefaults.writeBufferSize());
            assertThat(config.objectBufferSize()).isEqualTo(builderDefaults.objectBufferSize());
            assertThat(config.maxUpdateSize()).isEqualTo(builderDefaults.maxUpdateSize());
            assertThat(config.unloadProfileAfter()).isEqualTo(builderDefaults.unloadProfileAfter());
            assertThat(config.saveProfileDebounce()).isEqualTo(builderDefaults.saveProfileDebounce());
            assertThat(config.clientUpdateDebounce()).isEqualTo(builderDefaults.clientUpdateDebounce());
            assertThat(config.profileLoadTimeout()).isEqualTo(builderDefaults.profileLoadTimeout());
            assertThat(config.profileLoadAttempts()).isEqualTo(builderDefaults.profileLoadAttempts());
            assertThat(config.authenticationTimeout()).isEqualTo(builderDefaults.authenticationTimeout());
            assertThat(config.saveBatchSize()).isEqualTo(builderDefaults.saveBatchSize());
            assertThat(config.saveRetryMaxDelay()).isEqualTo(builderDefaults.saveRetryMaxDelay());
            assertThat(config.shutdownTimeout()).isEqualTo(builderDefaults.shutdownTimeout());
        }
        assertThat(example.databaseConfig().toString()).isEqualTo(defaults.databaseConfig().toString());
        assertThat(example.schemaFile()).isEmpty();
        assertThat(example.tokenSecret()).isEmpty();
        assertThat(example.gameServerSecrets()).isEmpty();
        assertThat(example.secretsFile()).isEqualTo(defaults.secretsFile());
        assertThat(example.metricsEnabled()).isFalse();
        assertThat(text).contains("${PROFILESYNC_TOKEN_SECRET:-}");
    }

    @Test
    void everyKeyIsInTheReferenceAndTheExample() throws Exception {
        String reference = Files.readString(DOCS.resolve("configuration.md"));
        String example = Files.readString(DOCS.resolve("master.example.yaml"));
        for (Settings.Key key : Settings.KEYS) {
            assertThat(reference).as("docs/configuration.md lists " + key.path()).contains("`" + key.path() + "`");
            assertThat(example).as("the example sets " + key.path()).contains("  " + key.name() + ":");
        }
    }

    @Test
    void pluginJarsAreAListOfPathsAfterThoseOfTheDirectory(@TempDir Path dir) throws Exception {
        Settings defaults = Settings.defaults(Map.of());
        assertThat(defaults.sections().plugins().directory()).isEqualTo(Path.of("plugins"));
        assertThat(defaults.sections().plugins().jars()).isEmpty();
        Files.createDirectories(dir.resolve("plugins"));
        Files.writeString(dir.resolve("plugins/b.jar"), "");
        Files.writeString(dir.resolve("plugins/a.jar"), "");
        Files.writeString(dir.resolve("plugins/notes.txt"), "");
        Settings settings = parse("plugins:\n  directory: " + dir.resolve("plugins") + "\n  jars: [extra/c.jar]\n"
                + "  warnAfter: 5ms\n");
        assertThat(settings.pluginJars()).containsExactly(dir.resolve("plugins/a.jar"), dir.resolve("plugins/b.jar"),
                Path.of("extra/c.jar"));
        assertThat(settings.masterConfig(null, List.of(), null).hookWarnAfter()).isEqualTo(Duration.ofMillis(5));
        assertRefused("plugins:\n  jars: [[a]]\n", "plugins.jars: must be a list of file paths (relative to the "
                + "working directory)");
    }

    @Test
    void durationsSizesAndBooleansAreRead() {
        Settings settings = parse("""
                server:
                  port: 7000
                  writeBufferSize: 1MiB
                  objectBufferSize: 512KiB
                  maxUpdateSize: 1024
                  saveProfileDebounce: 500ms
                  unloadProfileAfter: 2m
                  shutdownTimeout: 1h
                database:
                  durable: false
                metrics:
                  enabled: true
                """);
        MasterConfig config = settings.masterConfig(null, List.of(), null);
        assertThat(config.port()).isEqualTo(7000);
        assertThat(config.writeBufferSize()).isEqualTo(1024 * 1024);
        assertThat(config.objectBufferSize()).isEqualTo(512 * 1024);
        assertThat(config.maxUpdateSize()).isEqualTo(1024);
        assertThat(config.saveProfileDebounce()).isEqualTo(Duration.ofMillis(500));
        assertThat(config.unloadProfileAfter()).isEqualTo(Duration.ofMinutes(2));
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(settings.databaseConfig().durable()).isFalse();
        assertThat(settings.metricsEnabled()).isTrue();
    }

    @Test
    void anH2UrlIsNotClosedByH2sShutdownHook() {
        assertThat(parse("").databaseConfig().jdbcUrl()).isEqualTo("jdbc:h2:./data/profiles;DB_CLOSE_ON_EXIT=FALSE");
        assertThat(parse("database: {url: 'jdbc:h2:mem:x;DB_CLOSE_ON_EXIT=TRUE'}").databaseConfig().jdbcUrl())
                .isEqualTo("jdbc:h2:mem:x;DB_CLOSE_ON_EXIT=TRUE");
        assertThat(parse("database: {url: 'jdbc:sqlite:./x.db'}").databaseConfig().jdbcUrl())
                .isEqualTo("jdbc:sqlite:./x.db");
    }

    @Test
    void environmentVariablesAreInterpolatedAndReadForSecrets() {
        String token = "t".repeat(40);
        Settings settings = Settings.parse("""
                server:
                  port: ${MASTER_PORT:-5001}
                database:
                  password: ${DB_PASSWORD}
                """, null, Map.of("DB_PASSWORD", "pw", "PROFILESYNC_TOKEN_SECRET", token,
                "PROFILESYNC_GAME_SERVER_SECRETS", "a".repeat(16) + "," + "b".repeat(16)));
        assertThat(settings.port()).isEqualTo(5001);
        assertThat(settings.databaseConfig().password()).isEqualTo("pw");
        assertThat(settings.tokenSecret()).contains(token);
        assertThat(settings.source("secrets.tokenSecret"))
                .isEqualTo("the environment variable PROFILESYNC_TOKEN_SECRET");
        assertThat(settings.gameServerSecrets()).containsExactly("a".repeat(16), "b".repeat(16));
        assertThat(Settings.parse("server: {port: '${P}'}", null, Map.of("P", "6000")).port()).isEqualTo(6000);
    }

    @Test
    void eachBadSettingGivesOneMessageNamingTheKeyAndWhatIsAllowed() {
        assertRefused("server:\n  port: 70000\n", "server.port: must be an integer from 0 to 65535, not 70000");
        assertRefused("server:\n  port: abc\n", "server.port: must be an integer from 0 to 65535, not \"abc\"");
        assertRefused("server:\n  prot: 1\n", "server.prot: unknown key (did you mean \"port\"?); allowed in server: "
                + "host, port, writeBufferSize, objectBufferSize, maxUpdateSize, unloadProfileAfter, "
                + "saveProfileDebounce, clientUpdateDebounce, profileLoadTimeout, profileLoadAttempts, "
                + "authenticationTimeout, unauthenticatedFrameLimit, maxUnauthenticatedConnections, "
                + "maxUnauthenticatedConnectionsPerAddress, clientRequestsPerSecond, clientDecodeBytesPerSecond, "
                + "gameServerRequestsPerSecond, gameServerDecodeBytesPerSecond, maxQueuedBytesPerPeer, saveBatchSize, "
                + "saveRetryMaxDelay, shutdownTimeout");
        assertRefused("servr:\n  port: 1\n", "servr: unknown section (did you mean \"server\"?); allowed: server, "
                + "secrets, database, backup, schema, metrics, websocket, plugins");
        assertRefused("server:\n  saveProfileDebounce: 20\n", "server.saveProfileDebounce: must be "
                + Units.DURATION_FORMS
                + ", not \"20\"");
        assertRefused("server:\n  shutdownTimeout: 0\n", "server.shutdownTimeout: must be more than 0");
        assertRefused("server:\n  writeBufferSize: 64KB\n", "server.writeBufferSize: must be " + Units.SIZE_FORMS
                + ", not \"64KB\" (KiB, MiB and GiB are 1024-based: write 64KiB)");
        assertRefused("server:\n  objectBufferSize: 2GiB\n", "server.objectBufferSize: must be " + Units.SIZE_FORMS
                + ", from 1KiB to 1GiB, not 2GiB");
        assertRefused("server:\n  port:\n", "server.port: has no value; give an integer from 0 to 65535, or remove "
                + "the key to use the default (5000)");
        assertRefused("server:\n  host: [a, b]\n", "server.host: must be a string, not a list");
        assertRefused("database:\n  durable: yes please\n", "database.durable: must be true or false, "
                + "not \"yes please\"");
        assertRefused("secrets:\n  tokenSecret: short\n", "secrets.tokenSecret: must be a string of at least 32 "
                + "characters (generate one with `openssl rand -base64 48`), or empty to generate one into "
                + "secrets.file, not 5 characters");
        assertRefused("secrets:\n  tokenSecret: ${NOPE}\n", "secrets.tokenSecret: the environment variable NOPE is "
                + "not set; set it, or give a fallback: ${NOPE:-value}");
        assertRefused("server:\n  maxUpdateSize: 1MiB\n", "server.maxUpdateSize: maxUpdateSize (1048576) must be "
                + "smaller than objectBufferSize (131072) so an oversized update can be read and refused; raise "
                + "objectBufferSize or lower maxUpdateSize");
        assertRefused("metrics:\n  enabled: true\n  port: 5000\n", "metrics.port: must differ from server.port "
                + "(5000); pick another port for the HTTP endpoint");
        assertRefused("database:\n  url: jdbc:mysql://x\n", "database.url: must start with jdbc:h2:, jdbc:sqlite: "
                + "or jdbc:postgresql:, not \"jdbc:mysql://x\"");
        assertRefused("- a\n- b\n", "(file): must be a mapping of sections (server, secrets, database, backup, "
                + "schema, metrics, websocket, plugins), not a list");
        assertRefused("websocket:\n  enabled: true\n  port: 5000\n", "websocket.port: must differ from server.port "
                + "(5000), the KryoNet TCP port; 5080 is the default");
        assertRefused("websocket:\n  enabled: true\n  certificate: x.pem\n", "websocket.privateKey: TLS needs both "
                + "websocket.certificate (PEM chain) and websocket.privateKey (PEM, PKCS#8); give both, or neither for "
                + "plain ws:// (behind a TLS-terminating proxy)");
        assertRefused("websocket:\n  enabled: true\n  path: ws\n", "websocket.path: must start with /, such as "
                + "/profilesync, not \"ws\"");
        assertRefused("server:\n  port: 1\n  port: 2\n", "(file): not valid YAML at line 3: Duplicate field 'port'");
    }

    @Test
    void theFileIsBoundIntoTypedSectionsWithTheDefaultsOfTheBuilders() {
        Settings settings = parse("server:\n  port: 7000\ndatabase:\nmetrics: {}\n");
        assertThat(settings.sections().server().port()).isEqualTo(7000);
        assertThat(settings.sections().server().host()).isEqualTo(MasterConfig.builder().build().host());
        assertThat(settings.sections().database().poolSize()).isEqualTo(DatabaseConfig.DEFAULT_POOL_SIZE);
        assertThat(settings.sections().backup().interval()).isEqualTo(DatabaseConfig.DEFAULT_BACKUP_INTERVAL);
        assertThat(settings.sections().backup().directory()).isNull();
        assertThat(settings.source("server.port")).isEqualTo("the configuration file");
        assertThat(settings.source("server.host")).isEqualTo("the default");
        assertThat(Settings.KEYS).hasSize(52).extracting(Settings.Key::path)
                .startsWith("server.host", "server.port").endsWith("websocket.pages", "plugins.directory",
                        "plugins.jars", "plugins.warnAfter");
        assertRefused("server: 5\n", "server: must be a mapping of settings (host, port, writeBufferSize, "
                + "objectBufferSize, maxUpdateSize, unloadProfileAfter, saveProfileDebounce, clientUpdateDebounce, "
                + "profileLoadTimeout, profileLoadAttempts, authenticationTimeout, unauthenticatedFrameLimit, "
                + "maxUnauthenticatedConnections, maxUnauthenticatedConnectionsPerAddress, clientRequestsPerSecond, "
                + "clientDecodeBytesPerSecond, gameServerRequestsPerSecond, gameServerDecodeBytesPerSecond, "
                + "maxQueuedBytesPerPeer, saveBatchSize, saveRetryMaxDelay, shutdownTimeout)");
        assertRefused("metrics:\n  jvm: {a: 1}\n", "metrics.jvm: must be true or false, not a mapping");
        assertRefused("secrets:\n  gameServerSecrets: [[a]]\n", "secrets.gameServerSecrets: must be a list of "
                + "strings of at least 16 characters each");
    }

    @Test
    void aMissingSchemaFileIsABadSetting(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");
        assertThatThrownBy(() -> parse("schema:\n  file: " + missing + "\n"))
                .isInstanceOf(ConfigException.class)
                .hasMessageStartingWith("schema.file: no such file: " + missing);
    }

    @Test
    void unitsRoundTrip() {
        for (String text : List.of("0", "500ms", "20s", "1m", "2h", "1d")) {
            assertThat(Units.format(Units.duration(text))).isEqualTo(text);
        }
        assertThat(Units.size("64KiB")).isEqualTo(65536);
        assertThat(Units.size("2 MiB")).isEqualTo(2 * 1024 * 1024);
        assertThat(Units.size("100")).isEqualTo(100);
        assertThat(Units.formatSize(65536)).isEqualTo("64KiB");
    }
}
