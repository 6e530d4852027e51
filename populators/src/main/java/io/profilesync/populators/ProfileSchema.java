package io.profilesync.populators;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.PropertyNotFoundException;
import io.profilesync.core.PropertyView;
import io.profilesync.core.SchemaEvolution;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The properties every profile has (MST's populators database): an ordered list of {@link PropertyDefinition}s with
 * types, defaults, client permissions and constraints. The master owns the schema and sends it ({@link #toJson()},
 * or its {@link #clientSchema() client part}) at the handshake; every side builds its profiles with
 * {@link #newProfile()}, and the master checks every update with {@link #validatorFor(Writer)}.
 *
 * <p>Made with {@link #builder()} in code, or loaded from a JSON or YAML file ({@link #load(Path)}, format in
 * {@code docs/schema.md}). Either way every rule is checked once, and a bad schema gets one {@link SchemaException}
 * naming the source, each bad entry by index and name, and the problem.
 *
 * <p>Threading: immutable and thread-safe; share one instance freely. The profiles it makes are not thread-safe
 * (see {@link ObservableProfile}); the validators it returns are stateless and may be used from any thread.
 */
public final class ProfileSchema {
    /** Who writes an update: a client (only client-writable properties) or a server (any property). */
    public enum Writer {
        CLIENT, SERVER
    }

    private static final String DEMO_RESOURCE = "/io/profilesync/populators/demo-schema.json";
    /** The optional dependency YAML schemas need; JSON schemas and the demo schema do not. */
    static final String YAML_ARTIFACT = "com.fasterxml.jackson.dataformat:jackson-dataformat-yaml";
    /** Refuses a key given twice in one entry, which would otherwise silently keep the last (as YAML does). */
    private static final ObjectMapper JSON = SchemaJson.JSON.copy()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private final List<PropertyDefinition> definitions;
    private final Map<String, PropertyDefinition> byName;
    private final Set<String> clientVisibleNames;
    private final String json;
    private final String fingerprint;
    private final List<String> dropped;
    private final SchemaEvolution evolution;

    ProfileSchema(List<PropertyDefinition> definitions) {
        this("schema", definitions, List.of());
    }

    ProfileSchema(String source, List<PropertyDefinition> definitions, List<String> dropped) {
        this.definitions = List.copyOf(definitions);
        this.dropped = List.copyOf(dropped);
        Map<String, PropertyDefinition> names = new LinkedHashMap<>();
        Set<String> visible = new HashSet<>();
        for (PropertyDefinition definition : this.definitions) {
            names.put(definition.name(), definition);
            if (definition.clientVisible()) {
                visible.add(definition.name());
            }
        }
        this.byName = names;
        this.clientVisibleNames = Set.copyOf(visible);
        this.json = SchemaJson.write(this.definitions, this.dropped);
        this.fingerprint = sha256Hex(json);
        this.evolution = evolution(source, this.definitions, names, this.dropped);
    }

    /** The evolution the definitions and the dropped list declare; refuses names claimed twice or in use. */
    private static SchemaEvolution evolution(String source, List<PropertyDefinition> definitions,
            Map<String, PropertyDefinition> names, List<String> dropped) {
        Map<String, List<String>> renames = new LinkedHashMap<>();
        Map<String, String> conversions = new LinkedHashMap<>();
        Map<String, String> claimedBy = new LinkedHashMap<>();
        List<String> problems = new ArrayList<>();
        for (PropertyDefinition d : definitions) {
            if (!d.renamedFrom().isEmpty()) {
                renames.put(d.name(), d.renamedFrom());
            }
            d.convertFrom().ifPresent(from -> conversions.put(d.name(), from.name()));
            for (String earlier : d.renamedFrom()) {
                if (names.containsKey(earlier)) {
                    problems.add("property '" + d.name() + "': renamedFrom '" + earlier + "', but the schema has a "
                            + "property '" + earlier + "'; a name holds one property");
                }
                String other = claimedBy.putIfAbsent(earlier, d.name());
                if (other != null) {
                    problems.add("properties '" + other + "' and '" + d.name() + "' are both renamedFrom '" + earlier
                            + "'; name it on one of them");
                }
            }
        }
        for (String name : dropped) {
            if (names.containsKey(name) || claimedBy.containsKey(name)) {
                problems.add("dropped names '" + name + "', which the schema "
                        + (names.containsKey(name) ? "has as a property" : "renames into '" + claimedBy.get(name) + "'")
                        + "; drop only names no property holds or takes");
            }
        }
        if (!problems.isEmpty()) {
            throw new SchemaException(source, problems);
        }
        return new SchemaEvolution(renames, conversions, new LinkedHashSet<>(dropped));
    }

    // ---------------------------------------------------------------- making

    /** A builder for a schema in code; not thread-safe. */
    public static SchemaBuilder builder() {
        return new SchemaBuilder();
    }

    /**
     * Loads a schema file: JSON when the name ends in {@code .json}, YAML when in {@code .yaml} or {@code .yml}.
     *
     * @throws SchemaException when the file cannot be read, is not valid JSON/YAML, or breaks a rule (the message
     *     names the file, each bad entry and its problem)
     */
    public static ProfileSchema load(Path file) {
        Objects.requireNonNull(file, "file");
        String source = "schema file '" + file + "'";
        String fileName = file.getFileName() == null ? "" : file.getFileName().toString().toLowerCase(Locale.ROOT);
        ObjectMapper mapper;
        if (fileName.endsWith(".json")) {
            mapper = JSON;
        } else if (fileName.endsWith(".yaml") || fileName.endsWith(".yml")) {
            mapper = yaml(source);
        } else {
            throw new SchemaException(source + ": the name must end in .json, .yaml or .yml to tell its format");
        }
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new SchemaException(source + " cannot be read: " + e, e);
        }
        return parse(source, text, mapper);
    }

    /**
     * A schema from JSON text, such as {@link #toJson()} of the master's schema.
     *
     * @throws SchemaException when the text is not valid JSON or breaks a rule
     */
    public static ProfileSchema fromJson(String json) {
        return parse("schema JSON", Objects.requireNonNull(json, "json"), JSON);
    }

    /**
     * A schema from YAML text. Needs the optional dependency {@value #YAML_ARTIFACT} on the class path (the master
     * has it; the client and game-server artifacts do not bring it).
     *
     * @throws SchemaException when the text is not valid YAML or breaks a rule, or the YAML parser is missing
     */
    public static ProfileSchema fromYaml(String yaml) {
        Objects.requireNonNull(yaml, "yaml");
        return parse("schema YAML", yaml, yaml("schema YAML"));
    }

    /** The YAML mapper, or a SchemaException saying which dependency to add when the YAML parser is missing. */
    private static ObjectMapper yaml(String source) {
        try {
            Class.forName("com.fasterxml.jackson.dataformat.yaml.YAMLMapper", false,
                    ProfileSchema.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            throw new SchemaException(source + " is YAML, and the YAML parser is not on the class path: add the "
                    + "dependency " + YAML_ARTIFACT + " (the version of your jackson-databind), or write the schema as "
                    + "JSON (.json)", e);
        }
        return YamlHolder.YAML;
    }

    /** Loaded only when a YAML schema is read, so the YAML classes are needed only then. */
    private static final class YamlHolder {
        /** Refuses a key given twice in one entry, which would otherwise silently keep the last. */
        static final ObjectMapper YAML = com.fasterxml.jackson.dataformat.yaml.YAMLMapper.builder()
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
    }

    /**
     * The demo schema of MST's profiles example: displayName and avatarUrl (client-writable strings), gold, silver
     * and bronze (non-negative ints), level (1 to 100, default 1), experience (non-negative), items (a list of up to
     * 256 strings). Loaded from the resource {@value #DEMO_RESOURCE}.
     */
    public static ProfileSchema demo() {
        return DemoHolder.DEMO;
    }

    private static final class DemoHolder {
        static final ProfileSchema DEMO = loadDemo();

        private static ProfileSchema loadDemo() {
            String source = "schema resource '" + DEMO_RESOURCE + "'";
            try (InputStream in = ProfileSchema.class.getResourceAsStream(DEMO_RESOURCE)) {
                if (in == null) {
                    throw new SchemaException(source + " is missing from the classpath");
                }
                return parse(source, new String(in.readAllBytes(), StandardCharsets.UTF_8), JSON);
            } catch (IOException e) {
                throw new SchemaException(source + " cannot be read: " + e, e);
            }
        }
    }

    private static ProfileSchema parse(String source, String text, ObjectMapper mapper) {
        JsonNode root;
        try {
            root = mapper.readTree(text);
        } catch (JsonProcessingException e) {
            String format = mapper == JSON ? "JSON" : "YAML";
            throw new SchemaException(source + " is not valid " + format + ": " + e.getOriginalMessage()
                    + (e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + ", column "
                    + e.getLocation().getColumnNr()), e);
        }
        List<PropertyDefinition> definitions = Draft.checkAll(source, SchemaJson.read(source, root));
        return new ProfileSchema(source, definitions, SchemaJson.readDropped(source, root));
    }

    // ---------------------------------------------------------------- reading

    /** The definitions, in order (unmodifiable). */
    public List<PropertyDefinition> definitions() {
        return definitions;
    }

    /**
     * The definition of that name.
     *
     * @throws PropertyNotFoundException naming the properties the schema has when there is none
     */
    public PropertyDefinition definition(String name) {
        PropertyDefinition definition = byName.get(Objects.requireNonNull(name, "name"));
        if (definition == null) {
            throw new PropertyNotFoundException("schema has no property named '" + name + "'; it has "
                    + byName.keySet());
        }
        return definition;
    }

    /** Whether the schema defines a property of that name. */
    public boolean has(String name) {
        return byName.containsKey(name);
    }

    /** The number of properties. */
    public int size() {
        return definitions.size();
    }

    /**
     * The names of the properties declared {@code durability: immediate}, in schema order (unmodifiable): the master
     * saves a profile at once after a change to one of them.
     */
    public Set<String> immediateProperties() {
        Set<String> names = new LinkedHashSet<>();
        for (PropertyDefinition definition : definitions) {
            if (definition.durability() == Durability.IMMEDIATE) {
                names.add(definition.name());
            }
        }
        return Collections.unmodifiableSet(names);
    }

    PropertyDefinition find(String name) {
        return byName.get(name);
    }

    /**
     * The canonical JSON form: {@code {"properties":[...]}} with every key of every entry in a fixed order, defaults
     * included. {@code fromJson(toJson())} equals this schema and has the same fingerprint.
     */
    public String toJson() {
        return json;
    }

    /**
     * The hex SHA-256 of {@link #toJson()}: it identifies the whole schema, names, types, order, defaults,
     * permissions and constraints, so any change gives another fingerprint.
     */
    public String fingerprint() {
        return fingerprint;
    }

    // ---------------------------------------------------------------- profiles

    /**
     * The stored names this schema declares dropped ({@code dropped} in the schema file): their values are removed
     * from stored profiles at their next save instead of kept.
     */
    public List<String> dropped() {
        return dropped;
    }

    /** How profiles of this schema read values stored under earlier schemas (renames, conversions, drops). */
    public SchemaEvolution evolution() {
        return evolution;
    }

    /**
     * A new profile with every property at its default, in schema order, reading stored values through
     * {@link #evolution()}.
     */
    public ObservableProfile newProfile() {
        ObservableProfile profile = new ObservableProfile(newProperties());
        profile.setSchemaEvolution(evolution);
        return profile;
    }

    /**
     * A new profile of {@code userId} with every property at its default, in schema order, reading stored values
     * through {@link #evolution()}, and carrying this schema's fingerprint (stored with the row by accessors).
     */
    public ObservableServerProfile newServerProfile(String userId) {
        ObservableServerProfile profile = new ObservableServerProfile(userId, newProperties());
        profile.setSchemaEvolution(evolution);
        profile.setSchemaFingerprint(fingerprint);
        return profile;
    }

    private List<ObservableProperty<?>> newProperties() {
        List<ObservableProperty<?>> properties = new ArrayList<>(definitions.size());
        for (PropertyDefinition definition : definitions) {
            properties.add(definition.newProperty());
        }
        return properties;
    }

    // ---------------------------------------------------------------- client view

    /**
     * The schema a client knows: only the client-visible definitions, in the same order. A client's profile built
     * from it reads what a full profile writes through {@link #clientView()}.
     */
    public ProfileSchema clientSchema() {
        if (clientVisibleNames.size() == definitions.size()) {
            return this;
        }
        List<PropertyDefinition> visible = new ArrayList<>(clientVisibleNames.size());
        for (PropertyDefinition definition : definitions) {
            if (definition.clientVisible()) {
                visible.add(definition);
            }
        }
        return new ProfileSchema(visible);
    }

    /**
     * The view of a profile built from this schema that includes exactly its client-visible properties (by name),
     * for {@link ObservableProfile#toBytes(PropertyView)} and the deltas sent to clients.
     */
    public PropertyView clientView() {
        return property -> clientVisibleNames.contains(property.name());
    }

    // ---------------------------------------------------------------- validation

    /**
     * The validator the master applies to the updates of {@code writer}. A client may change only client-writable
     * properties ("property 'gold' is written by servers only"); any writer's new value must keep the constraints
     * ("level 150 is above the maximum 100"). A property the schema does not define is refused.
     */
    public UpdateValidator validatorFor(Writer writer) {
        return new SchemaValidator(this, Objects.requireNonNull(writer, "writer"));
    }

    /**
     * Checks that every property of the schema is in {@code profile} with the schema's type and keeps its
     * constraints; for profiles restored from a database or edited by tools.
     *
     * @throws PropertyNotFoundException when the profile lacks a property of the schema
     * @throws UpdateRejectedException naming the first property that breaks a constraint or has another type
     */
    public void checkConstraints(ObservableProfile profile) {
        Objects.requireNonNull(profile, "profile");
        for (PropertyDefinition definition : definitions) {
            ObservableProperty<?> property = profile.get(definition.name());
            String violation = violation(definition, property, property.value());
            if (violation != null) {
                throw new UpdateRejectedException(definition.name(), violation);
            }
        }
    }

    /**
     * Every property of {@code profile} that breaks the schema's constraints or has another type than the schema
     * says, as one reason each ("level 500 is above the maximum 100"), in the schema's order; empty when it fits. For
     * tools that report every problem at once, such as {@code profile import}.
     *
     * @throws PropertyNotFoundException when the profile lacks a property of the schema
     */
    public List<String> violations(ObservableProfile profile) {
        Objects.requireNonNull(profile, "profile");
        List<String> violations = new ArrayList<>();
        for (PropertyDefinition definition : definitions) {
            ObservableProperty<?> property = profile.get(definition.name());
            String violation = violation(definition, property, property.value());
            if (violation != null) {
                violations.add(violation);
            }
        }
        return violations;
    }

    /** Why {@code value} may not be the value of {@code property} under {@code definition}, or null. */
    static String violation(PropertyDefinition definition, ObservableProperty<?> property, Object value) {
        if (!property.typeDescriptor().equals(definition.typeDescriptor())) {
            return "property '" + property.name() + "' is a " + property.typeDescriptor() + " but the schema says "
                    + definition.typeDescriptor();
        }
        return Constraints.violation(definition, value, property.name());
    }

    // ---------------------------------------------------------------- identity

    /** Equal when the definitions are equal, in the same order (then the fingerprints are equal too). */
    @Override
    public boolean equals(Object other) {
        return other instanceof ProfileSchema schema && schema.fingerprint.equals(fingerprint)
                && schema.definitions.equals(definitions) && schema.dropped.equals(dropped);
    }

    @Override
    public int hashCode() {
        return fingerprint.hashCode();
    }

    @Override
    public String toString() {
        return "ProfileSchema[" + definitions.size() + " properties, fingerprint " + fingerprint.substring(0, 12)
                + "]";
    }

    private static String sha256Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(64);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every Java platform", e);
        }
    }
}
