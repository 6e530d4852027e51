package io.profilesync.master.cli;

import static java.lang.annotation.ElementType.PARAMETER;
import static java.lang.annotation.ElementType.RECORD_COMPONENT;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.micrometer.core.instrument.MeterRegistry;
import io.profilesync.db.DatabaseConfig;
import io.profilesync.master.HmacTokens;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.hooks.MasterPlugin;
import io.profilesync.master.hooks.PluginJars;
import java.io.IOException;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.RecordComponent;
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
 * secrets and the metrics endpoint, read from a YAML file and bound by Jackson into one record per section
 * ({@link Sections}). Each default is written once: {@link #DEFAULTS}, which takes the master's and the database's
 * own defaults from {@link MasterConfig} and {@link DatabaseConfig}. {@code docs/configuration.md} is the reference;
 * {@link #KEYS} is the same list, derived from the records.
 *
 * <p>Values may name environment variables: {@code ${NAME}} or {@code ${NAME:-fallback}}. Secrets and the database
 * credentials also come from the environment variables of {@link Env} when the file does not set them.
 *
 * <p>Loading stops at the first bad setting with one {@link ConfigException} naming the key and what is allowed;
 * Jackson finds unknown keys, and each value is read by {@link Leaf}. Relative paths are relative to the working
 * directory. Threading: immutable, thread-safe.
 */
public final class Settings {
    /** Where the data of a master started with no configuration goes. */
    public static final String DATA_DIRECTORY = "./data";
    /** The shortest game-server secret {@link MasterConfig.Builder#gameServerSecrets} accepts. */
    static final int MIN_GAME_SERVER_SECRET_LENGTH = 16;

    // ---------------------------------------------------------------- the file's form

    /** An integer setting from {@code min} to {@code max}. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({RECORD_COMPONENT, PARAMETER})
    @interface Range {
        long min();

        long max();
    }

    /** A size setting ({@code 64KiB}), from 1 KiB to 1 GiB. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({RECORD_COMPONENT, PARAMETER})
    @interface Size {
    }

    /** A duration setting that must be more than 0. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({RECORD_COMPONENT, PARAMETER})
    @interface Positive {
    }

    /** A secret (a string, or a list of them) of at least {@code min} characters. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({RECORD_COMPONENT, PARAMETER})
    @interface Secret {
        int min();

        /** What an empty value does, for the message of a bad one. */
        String empty() default "generate one into secrets.file";
    }

    /** The environment variable read when the file does not set the setting. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({RECORD_COMPONENT, PARAMETER})
    @interface Env {
        String value();
    }

    /** {@code server}: the master itself ({@link MasterConfig}). */
    public record ServerSection(String host, @Range(min = 0, max = 65535) int port, @Size int writeBufferSize,
            @Size int objectBufferSize, @Size int maxUpdateSize, Duration unloadProfileAfter,
            Duration saveProfileDebounce, Duration clientUpdateDebounce, @Positive Duration profileLoadTimeout,
            @Range(min = 1, max = 100) int profileLoadAttempts, @Positive Duration authenticationTimeout,
            @Size int unauthenticatedFrameLimit,
            @Range(min = 1, max = 1_000_000) int maxUnauthenticatedConnections,
            @Range(min = 1, max = 1_000_000) int maxUnauthenticatedConnectionsPerAddress,
            @Range(min = 1, max = 100_000_000) int clientRequestsPerSecond, @Size int clientDecodeBytesPerSecond,
            @Range(min = 1, max = 100_000_000) int gameServerRequestsPerSecond,
            @Size int gameServerDecodeBytesPerSecond, @Size int maxQueuedBytesPerPeer,
            @Range(min = 1, max = 1_000_000) int saveBatchSize, @Positive Duration saveRetryMaxDelay,
            @Positive Duration shutdownTimeout) {
    }

    /** {@code secrets}: null token secret and no game-server secrets: none configured (generated into the file). */
    public record SecretsSection(
            @Secret(min = HmacTokens.MIN_SECRET_LENGTH) @Env("PROFILESYNC_TOKEN_SECRET") String tokenSecret,
            @Secret(min = MIN_GAME_SERVER_SECRET_LENGTH) @Env("PROFILESYNC_GAME_SERVER_SECRETS")
            List<String> gameServerSecrets,
            @Secret(min = HmacTokens.MIN_SECRET_LENGTH, empty = "turn the admin API off")
            @Env("PROFILESYNC_ADMIN_TOKEN") String adminToken,
            Path file, boolean refusePlaintextSecrets) {
    }

    /** {@code database}. */
    public record DatabaseSection(String url, @Env("PROFILESYNC_DB_USER") String user,
            @Env("PROFILESYNC_DB_PASSWORD") String password, @Range(min = 1, max = 200) int poolSize,
            boolean durable) {
    }

    /** {@code backup} (H2 and SQLite); a null directory: {@code backups/} beside the database file. */
    public record BackupSection(Duration interval, @Range(min = 1, max = 10_000) int keep, Path directory) {
    }

    /** {@code schema}; a null file: the built-in demo schema. */
    public record SchemaSection(Path file) {
    }

    /** {@code metrics}: the HTTP endpoint. */
    public record MetricsSection(boolean enabled, String host, @Range(min = 1, max = 65535) int port, boolean jvm) {
    }

    /**
     * {@code websocket}: the WebSocket endpoint, off by default; no certificate and key: plain {@code ws://} (behind
     * a TLS-terminating proxy).
     */
    public record WebSocketSection(boolean enabled, String host, @Range(min = 0, max = 65535) int port, String path,
            @Size int maxFrameSize, Path certificate, Path privateKey, @Positive Duration idleTimeout,
            boolean pages) {
    }

    /**
     * {@code plugins}: game logic the master loads at start ({@code MasterPlugin}s): every jar in {@code directory}
     * (when it exists) and each of {@code jars}; hooks slower than {@code warnAfter} are logged.
     */
    public record PluginsSection(Path directory, List<Path> jars, @Positive Duration warnAfter) {
    }

    /** The whole file: one record per section, in the order of the reference. */
    public record Sections(ServerSection server, SecretsSection secrets, DatabaseSection database,
            BackupSection backup, SchemaSection schema, MetricsSection metrics, WebSocketSection websocket,
            PluginsSection plugins) {
    }

    /** The WebSocket endpoint's defaults, from its own record (before DEFAULTS, which reads it). */
    private static final WebSocketConfig WEBSOCKET = WebSocketConfig.plain(WebSocketConfig.DEFAULT_HOST,
            WebSocketConfig.DEFAULT_PORT);

    /** Every default, once: the master's and the database's come from their own builders. */
    static final Sections DEFAULTS = defaults();

    private static Sections defaults() {
        MasterConfig master = MasterConfig.builder().build();
        String url = "jdbc:h2:" + DATA_DIRECTORY + "/profiles";
        DatabaseConfig database = DatabaseConfig.builder(url).build();
        return new Sections(
                new ServerSection(master.host(), master.port(), master.writeBufferSize(), master.objectBufferSize(),
                        master.maxUpdateSize(), master.unloadProfileAfter(), master.saveProfileDebounce(),
                        master.clientUpdateDebounce(), master.profileLoadTimeout(), master.profileLoadAttempts(),
                        master.authenticationTimeout(), master.unauthenticatedFrameLimit(),
                        master.maxUnauthenticatedConnections(), master.maxUnauthenticatedConnectionsPerAddress(),
                        master.clientRequestsPerSecond(), master.clientDecodeBytesPerSecond(),
                        master.gameServerRequestsPerSecond(), master.gameServerDecodeBytesPerSecond(),
                        master.maxQueuedBytesPerPeer(), master.saveBatchSize(), master.saveRetryMaxDelay(),
                        master.shutdownTimeout()),
                new SecretsSection(null, List.of(), null, Path.of(DATA_DIRECTORY, "secrets.yaml"),
                        master.refusePlaintextSecrets()),
                new DatabaseSection(url, database.user(), database.password(), database.poolSize(),
                        database.durable()),
                new BackupSection(database.backupInterval(), database.backupsToKeep(), null),
                new SchemaSection(null),
                new MetricsSection(false, "0.0.0.0", 9464, true),
                new WebSocketSection(false, WEBSOCKET.host(), WEBSOCKET.port(), WEBSOCKET.path(),
                        WEBSOCKET.maxFrameSize(), null, null, WEBSOCKET.idleTimeout(), WEBSOCKET.pages()),
                new PluginsSection(Path.of("plugins"), List.of(), master.hookWarnAfter()));
    }

    // ---------------------------------------------------------------- keys, derived from the records

    /** The type of a setting, and how its text is read. */
    enum Kind {
        STRING, SECRET, INT, SIZE, DURATION, POSITIVE_DURATION, BOOL, PATH, SECRET_LIST, PATH_LIST;

        boolean list() {
            return this == SECRET_LIST || this == PATH_LIST;
        }
    }

    /**
     * One setting, as the records declare it.
     *
     * @param path section and name, such as {@code server.port}
     * @param defaultValue the typed default, or null: not set (optional settings)
     * @param env the environment variable read when the file does not set it, or null
     * @param empty what an empty secret does, for messages
     */
    record Key(String path, Kind kind, Object defaultValue, long min, long max, String env, String empty) {
        Key(String path, Kind kind, Object defaultValue, long min, long max, String env) {
            this(path, kind, defaultValue, min, max, env, "");
        }

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
                        + "48`), or empty to " + empty;
                case SECRET_LIST -> "a list of strings of at least " + min + " characters each";
                case PATH_LIST -> "a list of file paths (relative to the working directory)";
                case INT -> "an integer from " + min + " to " + max;
                case SIZE -> Units.SIZE_FORMS + ", from " + Units.formatSize(min) + " to " + Units.formatSize(max);
                case DURATION -> Units.DURATION_FORMS;
                case POSITIVE_DURATION -> "more than 0: " + Units.DURATION_FORMS;
                case BOOL -> "true or false";
                case PATH -> "a file path (relative to the working directory), or empty";
            };
        }
    }

    /** Which section each record is. */
    private static final Map<Class<?>, String> SECTION_OF_RECORD = new LinkedHashMap<>();
    static final List<Key> KEYS = keys();
    private static final Map<String, Key> KEY_BY_PATH = new LinkedHashMap<>();

    static {
        for (Key key : KEYS) {
            KEY_BY_PATH.put(key.path(), key);
        }
    }

    private static List<Key> keys() {
        List<Key> keys = new ArrayList<>();
        for (RecordComponent section : Sections.class.getRecordComponents()) {
            SECTION_OF_RECORD.put(section.getType(), section.getName());
            Object sectionDefaults = component(section, DEFAULTS);
            for (RecordComponent setting : section.getType().getRecordComponents()) {
                keys.add(key(section.getName() + "." + setting.getName(), setting,
                        component(setting, sectionDefaults)));
            }
        }
        return List.copyOf(keys);
    }

    private static Key key(String path, RecordComponent setting, Object defaultValue) {
        Class<?> type = setting.getType();
        Env env = setting.getAnnotation(Env.class);
        String variable = env == null ? null : env.value();
        Secret secret = setting.getAnnotation(Secret.class);
        Range range = setting.getAnnotation(Range.class);
        if (secret != null) {
            return new Key(path, type == List.class ? Kind.SECRET_LIST : Kind.SECRET, defaultValue, secret.min(), 0,
                    variable, secret.empty());
        }
        if (range != null) {
            return new Key(path, Kind.INT, defaultValue, range.min(), range.max(), variable);
        }
        if (setting.isAnnotationPresent(Size.class)) {
            return new Key(path, Kind.SIZE, defaultValue, 1024, 1 << 30, variable);
        }
        Kind kind;
        if (type == Duration.class) {
            kind = setting.isAnnotationPresent(Positive.class) ? Kind.POSITIVE_DURATION : Kind.DURATION;
        } else if (type == boolean.class) {
            kind = Kind.BOOL;
        } else if (type == Path.class) {
            kind = Kind.PATH;
        } else if (type == String.class) {
            kind = Kind.STRING;
        } else if (type == List.class) {
            kind = Kind.PATH_LIST;
        } else {
            throw new IllegalStateException(path + ": no kind of setting for " + type);
        }
        return new Key(path, kind, defaultValue, 0, 0, variable);
    }

    private static Object component(RecordComponent component, Object record) {
        try {
            return component.getAccessor().invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    // ---------------------------------------------------------------- binding

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?}");
    private static final ObjectMapper YAML = YAMLMapper.builder(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    /** Binds the records: unknown keys fail, {@link Leaf} reads every value, its ConfigException comes out as is. */
    private static final ObjectMapper BINDER = binder();
    private static final String ENV = "profilesync.env";
    private static final String SOURCES = "profilesync.sources";

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ObjectMapper binder() {
        SimpleModule leaves = new SimpleModule("profilesync-settings");
        for (Class<?> type : List.of(String.class, int.class, Integer.class, boolean.class, Boolean.class,
                Duration.class, Path.class, List.class)) {
            leaves.addDeserializer((Class) type, new Leaf(null));
        }
        return YAMLMapper.builder().addModule(leaves)
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.WRAP_EXCEPTIONS)
                .build();
    }

    private final Sections sections;
    private final Map<String, String> sources;
    private final Path file;

    private Settings(Sections sections, Map<String, String> sources, Path file) {
        this.sections = sections;
        this.sources = sources;
        this.file = file;
    }

    /** Every setting at its default, or from the environment where {@link Env} says. */
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
            throw new ConfigException("(file)", "must be a mapping of sections (" + sectionNames() + "), not "
                    + yamlType(root));
        }
        ObjectNode given = root != null && root.isObject() ? (ObjectNode) root : YAML.createObjectNode();
        for (Map.Entry<String, JsonNode> section : given.properties()) {
            List<String> names = names(section.getKey());
            if (names.isEmpty()) {
                throw new ConfigException(section.getKey(), "unknown section" + closest(section.getKey(),
                        sectionList()) + "; allowed: " + sectionNames());
            }
            if (!section.getValue().isNull() && !section.getValue().isObject()) {
                throw new ConfigException(section.getKey(), "must be a mapping of settings ("
                        + String.join(", ", names) + ")");
            }
        }
        // A section left out or empty binds like an empty mapping: every setting at its default.
        ObjectNode complete = YAML.createObjectNode();
        for (String section : sectionList()) {
            JsonNode node = given.get(section);
            complete.set(section, node == null || node.isNull() ? YAML.createObjectNode() : node);
        }
        Map<String, String> sources = new LinkedHashMap<>();
        Sections sections;
        try {
            sections = BINDER.readerFor(Sections.class).withAttribute(ENV, env).withAttribute(SOURCES, sources)
                    .readValue(complete);
        } catch (UnrecognizedPropertyException e) {
            String section = SECTION_OF_RECORD.get(e.getReferringClass());
            List<String> names = names(section);
            throw new ConfigException(section + "." + e.getPropertyName(), "unknown key" + closest(
                    e.getPropertyName(), names) + "; allowed in " + section + ": " + String.join(", ", names));
        } catch (IOException e) {
            throw new IllegalStateException("binding the settings failed: " + e.getMessage(), e);
        }
        Settings settings = new Settings(sections, sources, file);
        settings.checkContradictions();
        return settings;
    }

    /**
     * Reads one setting's value: interpolates {@code ${NAME}}, checks it against its {@link Key}, and supplies the
     * environment's value or the default when the file leaves the setting out. Jackson makes one per setting
     * ({@link #createContextual}); stateless otherwise.
     */
    static final class Leaf extends JsonDeserializer<Object> implements ContextualDeserializer {
        private final Key key;

        Leaf(Key key) {
            this.key = key;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            if (property == null) {
                return this;
            }
            String section = SECTION_OF_RECORD.get(property.getMember().getDeclaringClass());
            Key found = KEY_BY_PATH.get(section + "." + property.getName());
            if (found == null) {
                throw new IllegalStateException("no setting " + section + "." + property.getName());
            }
            return new Leaf(found);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            Object value = read(key, p, env(ctxt));
            if (value == null) {
                return getAbsentValue(ctxt);
            }
            sources(ctxt).put(key.path(), "the configuration file");
            return value;
        }

        /** {@code port:} with no value. */
        @Override
        public Object getNullValue(DeserializationContext ctxt) {
            if (key == null) {
                return null;
            }
            if (key.defaultValue() == null || key.kind().list()) {
                return getAbsentValue(ctxt);
            }
            throw new ConfigException(key.path(), "has no value; give " + key.allowed()
                    + ", or remove the key to use the default (" + describe(key.defaultValue()) + ")");
        }

        /** Not in the file: the environment's value, or the default. */
        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            if (key == null) {
                return null;
            }
            Map<String, String> env = env(ctxt);
            String fromEnv = key.env() == null ? null : env.get(key.env());
            if (fromEnv != null && !fromEnv.isEmpty()) {
                sources(ctxt).put(key.path(), "the environment variable " + key.env());
                return convert(key, key.kind().list() ? List.of(fromEnv.split(",")) : fromEnv);
            }
            sources(ctxt).put(key.path(), "the default");
            return key.defaultValue();
        }

        @SuppressWarnings("unchecked")
        private static Map<String, String> env(DeserializationContext ctxt) {
            return (Map<String, String>) ctxt.getAttribute(ENV);
        }

        @SuppressWarnings("unchecked")
        private static Map<String, String> sources(DeserializationContext ctxt) {
            return (Map<String, String>) ctxt.getAttribute(SOURCES);
        }
    }

    /** The value of the setting at {@code p}, or null: treat as not given. */
    private static Object read(Key key, JsonParser p, Map<String, String> env) throws IOException {
        JsonToken token = p.currentToken();
        if (key.kind().list()) {
            List<String> items = new ArrayList<>();
            if (token == JsonToken.START_ARRAY) {
                for (JsonToken item = p.nextToken(); item != JsonToken.END_ARRAY; item = p.nextToken()) {
                    if (!item.isScalarValue()) {
                        throw new ConfigException(key.path(), "must be " + key.allowed());
                    }
                    items.add(interpolate(key, p.getText(), env));
                }
            } else if (token.isScalarValue()) {
                // One string, possibly from ${VARIABLE}, with the secrets separated by commas.
                items.addAll(List.of(interpolate(key, p.getText(), env).split(",")));
            } else {
                throw new ConfigException(key.path(), "must be " + key.allowed());
            }
            items.removeIf(String::isBlank);
            return items.isEmpty() ? (key.kind() == Kind.PATH_LIST ? List.of() : null) : convert(key, items);
        }
        if (!token.isScalarValue()) {
            throw new ConfigException(key.path(), "must be " + key.allowed() + ", not "
                    + (token == JsonToken.START_ARRAY ? "a list" : "a mapping"));
        }
        String text = interpolate(key, p.getText(), env);
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
                case PATH_LIST -> {
                    List<Path> paths = new ArrayList<>();
                    for (Object item : (List<?>) raw) {
                        paths.add(Path.of(item.toString().trim()));
                    }
                    yield List.copyOf(paths);
                }
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
        WebSocketSection ws = sections.websocket();
        if (ws.port() != 0 && ws.port() == port()) {
            throw new ConfigException("websocket.port", "must differ from server.port (" + port() + "), the KryoNet "
                    + "TCP port; 5080 is the default");
        }
        if (ws.port() != 0 && metricsEnabled() && ws.port() == metricsPort()) {
            throw new ConfigException("websocket.port", "must differ from metrics.port (" + metricsPort() + ")");
        }
        if (!ws.path().startsWith("/")) {
            throw new ConfigException("websocket.path", "must start with /, such as /profilesync, not \""
                    + ws.path() + "\"");
        }
        if ((ws.certificate() == null) != (ws.privateKey() == null)) {
            throw new ConfigException(ws.certificate() != null ? "websocket.privateKey" : "websocket.certificate",
                    "TLS needs both websocket.certificate (PEM chain) and websocket.privateKey (PEM, PKCS#8); give "
                            + "both, or neither for plain ws:// (behind a TLS-terminating proxy)");
        }
        if (ws.certificate() != null && !Files.isReadable(ws.certificate())) {
            throw new ConfigException("websocket.certificate", "cannot read " + ws.certificate().toAbsolutePath());
        }
        if (ws.privateKey() != null && !Files.isReadable(ws.privateKey())) {
            throw new ConfigException("websocket.privateKey", "cannot read " + ws.privateKey().toAbsolutePath());
        }
    }

    /** Whether the WebSocket endpoint is on ({@code websocket.enabled}). */
    public boolean webSocketEnabled() {
        return sections.websocket().enabled();
    }

    /** The WebSocket endpoint's settings, when it is on; buffer sizes follow the master's. */
    public Optional<WebSocketConfig> webSocketSettings() {
        if (!webSocketEnabled()) {
            return Optional.empty();
        }
        WebSocketSection ws = sections.websocket();
        return Optional.of(new WebSocketConfig(ws.host(), ws.port(), ws.path(), ws.maxFrameSize(),
                sections.server().writeBufferSize(), ws.certificate(), ws.privateKey(), ws.idleTimeout(), ws.pages()));
    }

    // ---------------------------------------------------------------- derived configurations

    /**
     * A {@link MasterConfig} of these settings with the given secrets.
     *
     * @param registry where the master's meters go, or null: a private one
     */
    public MasterConfig masterConfig(String tokenSecret, List<String> gameServerSecrets, MeterRegistry registry) {
        return masterConfig(tokenSecret, gameServerSecrets, registry, List.of());
    }

    /** As {@link #masterConfig(String, List, MeterRegistry)}, with these plugins ({@link #pluginJars()} loaded). */
    public MasterConfig masterConfig(String tokenSecret, List<String> gameServerSecrets, MeterRegistry registry,
            List<MasterPlugin> plugins) {
        ServerSection s = sections.server();
        MasterConfig.Builder builder = MasterConfig.builder();
        plugins.forEach(builder::plugin);
        webSocketSettings().ifPresent(builder::webSocket);
        return builder
                .refusePlaintextSecrets(sections.secrets().refusePlaintextSecrets())
                .host(s.host())
                .port(s.port())
                .writeBufferSize(s.writeBufferSize())
                .objectBufferSize(s.objectBufferSize())
                .maxUpdateSize(s.maxUpdateSize())
                .unloadProfileAfter(s.unloadProfileAfter())
                .saveProfileDebounce(s.saveProfileDebounce())
                .clientUpdateDebounce(s.clientUpdateDebounce())
                .profileLoadTimeout(s.profileLoadTimeout())
                .profileLoadAttempts(s.profileLoadAttempts())
                .authenticationTimeout(s.authenticationTimeout())
                .unauthenticatedFrameLimit(s.unauthenticatedFrameLimit())
                .maxUnauthenticatedConnections(s.maxUnauthenticatedConnections())
                .maxUnauthenticatedConnectionsPerAddress(s.maxUnauthenticatedConnectionsPerAddress())
                .clientRequestsPerSecond(s.clientRequestsPerSecond())
                .clientDecodeBytesPerSecond(s.clientDecodeBytesPerSecond())
                .gameServerRequestsPerSecond(s.gameServerRequestsPerSecond())
                .gameServerDecodeBytesPerSecond(s.gameServerDecodeBytesPerSecond())
                .maxQueuedBytesPerPeer(s.maxQueuedBytesPerPeer())
                .saveBatchSize(s.saveBatchSize())
                .saveRetryMaxDelay(s.saveRetryMaxDelay())
                .shutdownTimeout(s.shutdownTimeout())
                .hookWarnAfter(sections.plugins().warnAfter())
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
        DatabaseSection database = sections.database();
        String url = database.url();
        if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:")
                && !url.toUpperCase(Locale.ROOT).contains("DB_CLOSE_ON_EXIT=")) {
            url += ";DB_CLOSE_ON_EXIT=FALSE";
        }
        DatabaseConfig.Builder builder = DatabaseConfig.builder(url)
                .user(database.user())
                .password(database.password())
                .poolSize(database.poolSize())
                .durable(database.durable())
                .backupInterval(sections.backup().interval())
                .backupsToKeep(sections.backup().keep());
        optional(sections.backup().directory()).ifPresent(builder::backupDirectory);
        return builder.build();
    }

    // ---------------------------------------------------------------- settings

    /** Every section, as bound. */
    public Sections sections() {
        return sections;
    }

    /** The file these settings came from, if any. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    public String host() {
        return sections.server().host();
    }

    public int port() {
        return sections.server().port();
    }

    public String databaseUrl() {
        return sections.database().url();
    }

    /** The plugin jars to load ({@code plugins.directory}'s, then {@code plugins.jars}). */
    public List<Path> pluginJars() {
        return PluginJars.find(sections.plugins().directory(), sections.plugins().jars());
    }

    public Optional<Path> schemaFile() {
        return optional(sections.schema().file());
    }

    /** The configured token secret (file or environment), if any. */
    public Optional<String> tokenSecret() {
        return Optional.ofNullable(sections.secrets().tokenSecret());
    }

    /** The configured game-server secrets (file or environment); empty: none configured. */
    public List<String> gameServerSecrets() {
        return sections.secrets().gameServerSecrets();
    }

    /** The token the admin HTTP API requires ({@code Authorization: Bearer …}); empty: the admin API is off. */
    public Optional<String> adminToken() {
        return Optional.ofNullable(sections.secrets().adminToken());
    }

    /** Where generated secrets are kept; empty: never generate them. */
    public Optional<Path> secretsFile() {
        return optional(sections.secrets().file());
    }

    public boolean metricsEnabled() {
        return sections.metrics().enabled();
    }

    public String metricsHost() {
        return sections.metrics().host();
    }

    public int metricsPort() {
        return sections.metrics().port();
    }

    public boolean jvmMetrics() {
        return sections.metrics().jvm();
    }

    /** Where a setting's value came from: "the default", "the configuration file", "the environment variable X". */
    public String source(String path) {
        return Objects.requireNonNull(sources.get(path), path);
    }

    private static Optional<Path> optional(Path value) {
        return value == null || value.toString().isEmpty() ? Optional.empty() : Optional.of(value);
    }

    // ---------------------------------------------------------------- helpers

    private static String yamlType(JsonNode node) {
        return node.isArray() ? "a list" : node.isObject() ? "a mapping" : "a " + node.getNodeType();
    }

    /** The settings of a section, in order; empty for an unknown section. */
    private static List<String> names(String section) {
        return KEYS.stream().filter(k -> k.section().equals(section)).map(Key::name).toList();
    }

    private static List<String> sectionList() {
        return KEYS.stream().map(Key::section).distinct().toList();
    }

    private static String sectionNames() {
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
