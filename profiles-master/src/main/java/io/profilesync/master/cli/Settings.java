package io.profilesync.master.cli;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.master.HmacTokens;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.master.MasterConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The master's configuration: every setting of {@link MasterConfig}, plus the database, backups, the schema file,
 * secrets and the metrics endpoint, read from a YAML file with a default for each. {@code docs/configuration.md} is
 * the reference; {@link #KEYS} is the same list in code.
 *
 * <p>Values may name environment variables: {@code ${NAME}} or {@code ${NAME:-fallback}}. Secrets and the database
 * password also come from the environment variables of {@link Key#env()} when the file does not set them.
 *
 * <p>Loading stops at the first bad setting with one {@link ConfigException} naming the key and what is allowed.
 * Relative paths are relative to the working directory. Threading: immutable, thread-safe.
 */
public final class Settings {
    /** Where the data of a master started with no configuration goes. */
    public static final String DATA_DIRECTORY = "./data";
    /** The shortest game-server secret {@link MasterConfig.Builder#gameServerSecrets} accepts. */
    static final int MIN_GAME_SERVER_SECRET_LENGTH = 16;

    /** The type of a setting, and how its text is read. */
    enum Kind {
        STRING, SECRET, INT, SIZE, DURATION, POSITIVE_DURATION, BOOL, PATH, SECRET_LIST
    }

    /**
     * One setting.
     *
     * @param path section and name, such as {@code server.port}
     * @param defaultValue the typed default, or null: not set (optional settings)
     * @param env the environment variable read when the file does not set it, or null
     */
    record Key(String path, Kind kind, Object defaultValue, long min, long max, String env) {
        String section() {
            return path.substring(0, path.indexOf('.'));
        }

        String name() {
            return path.substring(path.indexOf('.') + 1);
        }

        String allowed() {
            return switch (kind) {
                case STRING -> "a string";
                case SECRET -> "a string of at least " + min + " characters (generate one with `openssl rand -base64 "
                        + "48`), or empty to generate one into secrets.file";
                case SECRET_LIST -> "a list of strings of at least " + min + " characters each";
                case INT -> "an integer from " + min + " to " + max;
                case SIZE -> Units.SIZE_FORMS + ", from " + Units.formatSize(min) + " to " + Units.formatSize(max);
                case DURATION -> Units.DURATION_FORMS;
                case POSITIVE_DURATION -> "more than 0: " + Units.DURATION_FORMS;
                case BOOL -> "true or false";
                case PATH -> "a file path (relative to the working directory), or empty";
            };
        }
    }

    static final List<Key> KEYS = List.of(
            key("server.host", Kind.STRING, "0.0.0.0"),
            new Key("server.port", Kind.INT, 5000, 0, 65535, null),
            size("server.writeBufferSize", 256 * 1024),
            size("server.objectBufferSize", 128 * 1024),
            size("server.maxUpdateSize", 64 * 1024),
            key("server.unloadProfileAfter", Kind.DURATION, Duration.ofSeconds(20)),
            key("server.saveProfileDebounce", Kind.DURATION, Duration.ofSeconds(1)),
            key("server.clientUpdateDebounce", Kind.DURATION, Duration.ofSeconds(1)),
            key("server.profileLoadTimeout", Kind.POSITIVE_DURATION, Duration.ofSeconds(10)),
            new Key("server.profileLoadAttempts", Kind.INT, 3, 1, 100, null),
            key("server.authenticationTimeout", Kind.POSITIVE_DURATION, Duration.ofSeconds(5)),
            new Key("server.saveBatchSize", Kind.INT, 1000, 1, 1_000_000, null),
            key("server.saveRetryMaxDelay", Kind.POSITIVE_DURATION, Duration.ofSeconds(30)),
            key("server.shutdownTimeout", Kind.POSITIVE_DURATION, Duration.ofSeconds(30)),
            new Key("secrets.tokenSecret", Kind.SECRET, null, HmacTokens.MIN_SECRET_LENGTH, 0,
                    "PROFILESYNC_TOKEN_SECRET"),
            new Key("secrets.gameServerSecrets", Kind.SECRET_LIST, List.of(), MIN_GAME_SERVER_SECRET_LENGTH, 0,
                    "PROFILESYNC_GAME_SERVER_SECRETS"),
            key("secrets.file", Kind.PATH, Path.of(DATA_DIRECTORY, "secrets.yaml")),
            key("secrets.refusePlaintextSecrets", Kind.BOOL, false),
            key("database.url", Kind.STRING, "jdbc:h2:" + DATA_DIRECTORY + "/profiles"),
            new Key("database.user", Kind.STRING, "", 0, 0, "PROFILESYNC_DB_USER"),
            new Key("database.password", Kind.STRING, "", 0, 0, "PROFILESYNC_DB_PASSWORD"),
            new Key("database.poolSize", Kind.INT, DatabaseConfig.DEFAULT_POOL_SIZE, 1, 200, null),
            key("database.durable", Kind.BOOL, true),
            key("backup.interval", Kind.DURATION, DatabaseConfig.DEFAULT_BACKUP_INTERVAL),
            new Key("backup.keep", Kind.INT, DatabaseConfig.DEFAULT_BACKUPS_TO_KEEP, 1, 10_000, null),
            key("backup.directory", Kind.PATH, null),
            key("schema.file", Kind.PATH, null),
            key("metrics.enabled", Kind.BOOL, false),
            key("metrics.host", Kind.STRING, "0.0.0.0"),
            new Key("metrics.port", Kind.INT, 9464, 1, 65535, null),
            key("metrics.jvm", Kind.BOOL, true),
            key("websocket.enabled", Kind.BOOL, false),
            key("websocket.host", Kind.STRING, "127.0.0.1"),
            new Key("websocket.port", Kind.INT, 5080, 0, 65535, null),
            key("websocket.path", Kind.STRING, "/profilesync"),
            size("websocket.maxFrameSize", 128 * 1024),
            key("websocket.certificate", Kind.PATH, null),
            key("websocket.privateKey", Kind.PATH, null),
            key("websocket.idleTimeout", Kind.POSITIVE_DURATION, Duration.ofSeconds(30)),
            key("websocket.pages", Kind.BOOL, true));

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();

    private final Map<String, Object> values;
    private final Map<String, String> sources;
    private final Path file;

    private Settings(Map<String, Object> values, Map<String, String> sources, Path file) {
        this.values = values;
        this.sources = sources;
        this.file = file;
    }

    /** Every setting at its default, or from the environment where {@link Key#env()} says. */
    public static Settings defaults(Map<String, String> env) {
        return parse(null, null, env);
    }

    /**
     * Loads {@code file}; settings it leaves out keep their defaults.
     *
     * @throws ConfigException at the first bad setting, or when the file cannot be read
     */
    public static Settings load(Path file, Map<String, String> env) {
        Objects.requireNonNull(file, "file");
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("--config", "cannot read " + file.toAbsolutePath() + " (" + e + "); give the "
                    + "path of a readable YAML file, or leave --config out to use the defaults");
        }
        return parse(text, file, env);
    }

    /** Parses YAML text ({@code file} only names it in messages; null text: defaults only). */
    static Settings parse(String text, Path file, Map<String, String> env) {
        Objects.requireNonNull(env, "env");
        JsonNode root = null;
        if (text != null && !text.isBlank()) {
            try {
                root = YAML.readTree(text);
            } catch (JsonProcessingException e) {
                String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr();
                throw new ConfigException("(file)", "not valid YAML" + where + ": " + e.getOriginalMessage());
            }
        }
        if (root != null && !root.isNull() && !root.isObject()) {
            throw new ConfigException("(file)", "must be a mapping of sections (" + sections() + "), not "
                    + yamlType(root));
        }
        Map<String, JsonNode> given = new LinkedHashMap<>();
        if (root != null && root.isObject()) {
            for (Map.Entry<String, JsonNode> section : root.properties()) {
                List<String> names = KEYS.stream().filter(k -> k.section().equals(section.getKey()))
                        .map(Key::name).toList();
                if (names.isEmpty()) {
                    throw new ConfigException(section.getKey(), "unknown section" + closest(section.getKey(),
                            sectionList()) + "; allowed: " + sections());
                }
                if (section.getValue().isNull()) {
                    continue;
                }
                if (!section.getValue().isObject()) {
                    throw new ConfigException(section.getKey(), "must be a mapping of settings ("
                            + String.join(", ", names) + ")");
                }
                for (Map.Entry<String, JsonNode> entry : section.getValue().properties()) {
                    if (!names.contains(entry.getKey())) {
                        throw new ConfigException(section.getKey() + "." + entry.getKey(), "unknown key"
                                + closest(entry.getKey(), names) + "; allowed in " + section.getKey() + ": "
                                + String.join(", ", names));
                    }
                    given.put(section.getKey() + "." + entry.getKey(), entry.getValue());
                }
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Key key : KEYS) {
            JsonNode node = given.get(key.path());
            Object value = node == null ? null : read(key, node, env);
            String source = "the configuration file";
            if (value == null && key.env() != null && env.get(key.env()) != null && !env.get(key.env()).isEmpty()) {
                value = convert(key, key.kind() == Kind.SECRET_LIST
                        ? List.of(env.get(key.env()).split(",")) : env.get(key.env()));
                source = "the environment variable " + key.env();
            }
            if (value == null) {
                value = key.defaultValue();
                source = "the default";
            }
            values.put(key.path(), value);
            sources.put(key.path(), source);
        }
        Settings settings = new Settings(values, sources, file);
        settings.checkContradictions();
        return settings;
    }

    private static Object read(Key key, JsonNode node, Map<String, String> env) {
        if (node.isNull()) {
            if (key.defaultValue() == null || key.kind() == Kind.SECRET_LIST) {
                return null;
            }
            throw new ConfigException(key.path(), "has no value; give " + key.allowed()
                    + ", or remove the key to use the default (" + describe(key.defaultValue()) + ")");
        }
        if (key.kind() == Kind.SECRET_LIST) {
            List<String> items = new ArrayList<>();
            if (node.isArray()) {
                for (JsonNode item : node) {
                    if (!item.isValueNode()) {
                        throw new ConfigException(key.path(), "must be " + key.allowed());
                    }
                    items.add(interpolate(key, item.asText(), env));
                }
            } else if (node.isValueNode()) {
                // One string, possibly from ${VARIABLE}, with the secrets separated by commas.
                items.addAll(List.of(interpolate(key, node.asText(), env).split(",")));
            } else {
                throw new ConfigException(key.path(), "must be " + key.allowed());
            }
            items.removeIf(String::isBlank);
            return items.isEmpty() ? null : convert(key, items);
        }
        if (!node.isValueNode()) {
            throw new ConfigException(key.path(), "must be " + key.allowed() + ", not " + yamlType(node));
        }
        String text = interpolate(key, node.asText(), env);
        if (text.isEmpty() && (key.defaultValue() == null || key.kind() == Kind.STRING)) {
            return key.kind() == Kind.STRING ? "" : null;
        }
        return convert(key, text);
    }

    private static Object convert(Key key, Object raw) {
        try {
            return switch (key.kind()) {
                case STRING -> raw;
                case SECRET -> checkSecret(key, ((String) raw).trim());
                case SECRET_LIST -> {
                    List<String> secrets = new ArrayList<>();
                    for (Object item : (List<?>) raw) {
                        secrets.add(checkSecret(key, item.toString().trim()));
                    }
                    yield List.copyOf(secrets);
                }
                case INT -> {
                    long value;
                    try {
                        value = Long.parseLong(((String) raw).trim());
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("not \"" + raw + "\"");
                    }
                    yield (int) inRange(value, key, String.valueOf(value));
                }
                case SIZE -> (int) inRange(Units.size((String) raw), key, (String) raw);
                case DURATION, POSITIVE_DURATION -> {
                    Duration value = Units.duration((String) raw);
                    if (key.kind() == Kind.POSITIVE_DURATION && value.isZero()) {
                        throw new IllegalArgumentException("must be more than 0");
                    }
                    yield value;
                }
                case BOOL -> switch (((String) raw).trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> Boolean.TRUE;
                    case "false" -> Boolean.FALSE;
                    default -> throw new IllegalArgumentException("not \"" + raw + "\"");
                };
                case PATH -> Path.of(((String) raw).trim());
            };
        } catch (IllegalArgumentException e) {
            String problem = e.getMessage();
            throw new ConfigException(key.path(), problem.startsWith("must be") ? problem
                    : "must be " + key.allowed() + ", " + problem);
        }
    }

    private static long inRange(long value, Key key, String text) {
        if (value < key.min() || value > key.max()) {
            throw new IllegalArgumentException("not " + text);
        }
        return value;
    }

    private static String checkSecret(Key key, String secret) {
        if (secret.length() < key.min()) {
            throw new IllegalArgumentException("not " + secret.length() + " characters");
        }
        return secret;
    }

    private static String interpolate(Key key, String text, Map<String, String> env) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String value = env.get(m.group(1));
            if (value == null) {
                if (m.group(2) == null) {
                    throw new ConfigException(key.path(), "the environment variable " + m.group(1) + " is not set; "
                            + "set it, or give a fallback: ${" + m.group(1) + ":-value}");
                }
                value = m.group(3);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Settings that contradict each other, checked by {@link MasterConfig}'s builder and named here. */
    private void checkContradictions() {
        if (webSocketEnabled()) {
            checkWebSocket();
        }
        try {
            masterConfig(null, List.of(), null);
        } catch (IllegalArgumentException e) {
            String message = e.getMessage();
            String key = KEYS.stream().filter(k -> k.section().equals("server") && message.startsWith(k.name()))
                    .map(Key::path).findFirst().orElse("server");
            throw new ConfigException(key, message);
        }
        if (metricsEnabled() && metricsPort() == port()) {
            throw new ConfigException("metrics.port", "must differ from server.port (" + port() + "); pick another "
                    + "port for the HTTP endpoint");
        }
        String url = databaseUrl().toLowerCase(Locale.ROOT);
        if (!url.startsWith("jdbc:h2:") && !url.startsWith("jdbc:sqlite:") && !url.startsWith("jdbc:postgresql:")) {
            throw new ConfigException("database.url", "must start with jdbc:h2:, jdbc:sqlite: or jdbc:postgresql:, "
                    + "not \"" + databaseUrl() + "\"");
        }
        schemaFile().ifPresent(schema -> {
            if (!Files.isRegularFile(schema)) {
                throw new ConfigException("schema.file", "no such file: " + schema.toAbsolutePath() + "; give the "
                        + "path of a .yaml or .json schema (docs/schema.md), or leave it out for the built-in demo");
            }
        });
    }

    private void checkWebSocket() {
        int ws = integer("websocket.port");
        if (ws != 0 && ws == port()) {
            throw new ConfigException("websocket.port", "must differ from server.port (" + port() + "), the KryoNet "
                    + "TCP port; 5080 is the default");
        }
        if (ws != 0 && metricsEnabled() && ws == metricsPort()) {
            throw new ConfigException("websocket.port", "must differ from metrics.port (" + metricsPort() + ")");
        }
        if (!string("websocket.path").startsWith("/")) {
            throw new ConfigException("websocket.path", "must start with /, such as /profilesync, not \""
                    + string("websocket.path") + "\"");
        }
        Optional<Path> certificate = path("websocket.certificate");
        Optional<Path> key = path("websocket.privateKey");
        if (certificate.isPresent() != key.isPresent()) {
            throw new ConfigException(certificate.isPresent() ? "websocket.privateKey" : "websocket.certificate",
                    "TLS needs both websocket.certificate (PEM chain) and websocket.privateKey (PEM, PKCS#8); give "
                            + "both, or neither for plain ws:// (behind a TLS-terminating proxy)");
        }
        for (Optional<Path> file : List.of(certificate, key)) {
            file.ifPresent(f -> {
                if (!Files.isReadable(f)) {
                    throw new ConfigException(f == certificate.orElse(null) ? "websocket.certificate"
                            : "websocket.privateKey", "cannot read " + f.toAbsolutePath());
                }
            });
        }
    }

    /** Whether the WebSocket endpoint is on ({@code websocket.enabled}). */
    public boolean webSocketEnabled() {
        return (Boolean) values.get("websocket.enabled");
    }

    /** The WebSocket endpoint's settings, when it is on; buffer sizes follow the master's. */
    public Optional<WebSocketConfig> webSocketSettings() {
        if (!webSocketEnabled()) {
            return Optional.empty();
        }
        return Optional.of(new WebSocketConfig(string("websocket.host"), integer("websocket.port"),
                string("websocket.path"), integer("websocket.maxFrameSize"), integer("server.writeBufferSize"),
                path("websocket.certificate").orElse(null), path("websocket.privateKey").orElse(null),
                duration("websocket.idleTimeout"), (Boolean) values.get("websocket.pages")));
    }

    // ---------------------------------------------------------------- derived configurations

    /**
     * A {@link MasterConfig} of these settings with the given secrets.
     *
     * @param registry where the master's meters go, or null: a private one
     */
    public MasterConfig masterConfig(String tokenSecret, List<String> gameServerSecrets, MeterRegistry registry) {
        MasterConfig.Builder builder = MasterConfig.builder();
        webSocketSettings().ifPresent(builder::webSocket);
        builder.refusePlaintextSecrets((Boolean) values.get("secrets.refusePlaintextSecrets"));
        return builder
                .host(string("server.host"))
                .port(integer("server.port"))
                .writeBufferSize(integer("server.writeBufferSize"))
                .objectBufferSize(integer("server.objectBufferSize"))
                .maxUpdateSize(integer("server.maxUpdateSize"))
                .unloadProfileAfter(duration("server.unloadProfileAfter"))
                .saveProfileDebounce(duration("server.saveProfileDebounce"))
                .clientUpdateDebounce(duration("server.clientUpdateDebounce"))
                .profileLoadTimeout(duration("server.profileLoadTimeout"))
                .profileLoadAttempts(integer("server.profileLoadAttempts"))
                .authenticationTimeout(duration("server.authenticationTimeout"))
                .saveBatchSize(integer("server.saveBatchSize"))
                .saveRetryMaxDelay(duration("server.saveRetryMaxDelay"))
                .shutdownTimeout(duration("server.shutdownTimeout"))
                .tokenSecret(tokenSecret)
                .gameServerSecrets(gameServerSecrets)
                .meterRegistry(registry)
                .build();
    }

    /**
     * The database configuration. An H2 URL gets {@code DB_CLOSE_ON_EXIT=FALSE} unless it sets it: otherwise H2's
     * own shutdown hook closes the database while the master is still saving on SIGTERM.
     */
    public DatabaseConfig databaseConfig() {
        String url = databaseUrl();
        if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")
                && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT=")) {
            url += ";DB_CLOSE_ON_EXIT=FALSE";
        }
        DatabaseConfig.Builder builder = DatabaseConfig.builder(url)
                .user(string("database.user"))
                .password(string("database.password"))
                .poolSize(integer("database.poolSize"))
                .durable((Boolean) values.get("database.durable"))
                .backupInterval(duration("backup.interval"))
                .backupsToKeep(integer("backup.keep"));
        path("backup.directory").ifPresent(builder::backupDirectory);
        return builder.build();
    }

    // ---------------------------------------------------------------- settings

    /** The file these settings came from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public String host() {
        return string("server.host");
    }

    public int port() {
        return integer("server.port");
    }

    public String databaseUrl() {
        return string("database.url");
    }

    public Optional<Path> schemaFile() {
        return path("schema.file");
    }

    /** The configured token secret (file or environment), if any. */
    public Optional<String> tokenSecret() {
        return Optional.ofNullable((String) values.get("secrets.tokenSecret"));
    }

    /** The configured game-server secrets (file or environment); empty: none configured. */
    @SuppressWarnings("unchecked")
    public List<String> gameServerSecrets() {
        return (List<String>) values.get("secrets.gameServerSecrets");
    }

    /** Where generated secrets are kept; empty: never generate them. */
    public Optional<Path> secretsFile() {
        return path("secrets.file");
    }

    public boolean metricsEnabled() {
        return (Boolean) values.get("metrics.enabled");
    }

    public String metricsHost() {
        return string("metrics.host");
    }

    public int metricsPort() {
        return integer("metrics.port");
    }

    public boolean jvmMetrics() {
        return (Boolean) values.get("metrics.jvm");
    }

    /** Where a setting's value came from: "the default", "the configuration file", "the environment variable X". */
    public String source(String path) {
        return Objects.requireNonNull(sources.get(path), path);
    }

    private String string(String path) {
        return (String) values.get(path);
    }

    private int integer(String path) {
        return (Integer) values.get(path);
    }

    private Duration duration(String path) {
        return (Duration) values.get(path);
    }

    private Optional<Path> path(String path) {
        Path value = (Path) values.get(path);
        return value == null || value.toString().isEmpty() ? Optional.empty() : Optional.of(value);
    }

    // ---------------------------------------------------------------- helpers

    private static String yamlType(JsonNode node) {
        return node.isArray() ? "a list" : node.isObject() ? "a mapping" : "a " + node.getNodeType();
    }

    private static Key key(String path, Kind kind, Object defaultValue) {
        return new Key(path, kind, defaultValue, 0, 0, null);
    }

    private static Key size(String path, int defaultValue) {
        return new Key(path, Kind.SIZE, defaultValue, 1024, 1 << 30, null);
    }

    private static List<String> sectionList() {
        return KEYS.stream().map(Key::section).distinct().toList();
    }

    private static String sections() {
        return String.join(", ", sectionList());
    }

    private static String describe(Object value) {
        if (value instanceof Duration d) {
            return Units.format(d);
        }
        return String.valueOf(value);
    }

    /** " (did you mean "x"?)" when a name is one or two edits away, else "". */
    static String closest(String given, List<String> names) {
        String best = null;
        int bestDistance = 3;
        for (String name : names) {
            int distance = name.equalsIgnoreCase(given) ? 0 : distance(given.toLowerCase(Locale.ROOT),
                    name.toLowerCase(Locale.ROOT));
            if (distance < bestDistance) {
                best = name;
                bestDistance = distance;
            }
        }
        return best == null ? "" : " (did you mean \"" + best + "\"?)";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
