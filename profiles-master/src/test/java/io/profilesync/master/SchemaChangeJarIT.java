package io.profilesync.master;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12's schema-change scenario with the jar: data written under schema A holds {@code coins: 120}; a master
 * started with schema B, which lacks coins, refuses to start saying what differs and how to proceed; with
 * {@code --allow-schema-drop} it starts and a save keeps coins in the row; with B declaring the drop it starts; with
 * B renaming coins to gold ({@code renamedFrom}) the value arrives in gold.
 */
@Timeout(300)
class SchemaChangeJarIT {
    static final Duration START = Duration.ofSeconds(60);
    static final Duration COMMAND = Duration.ofSeconds(60);
    static final ObjectMapper JSON = new ObjectMapper();
    static final String SCHEMA_A = """
            properties:
              - {name: displayName, type: string, default: "", clientWritable: true}
              - {name: coins, type: int}
            """;
    static final String SCHEMA_B = """
            properties:
              - {name: displayName, type: string, default: "", clientWritable: true}
            """;
    static final String SCHEMA_B_DROPS = SCHEMA_B + "dropped: [coins]\n";
    static final String SCHEMA_B_RENAMES = SCHEMA_B + "  - {name: gold, type: long, renamedFrom: [coins], "
            + "convertFrom: {type: int}}\n";

    @TempDir
    Path dir;

    private Path config(String name, String schema, int port) throws Exception {
        Path schemaFile = dir.resolve(name + "-schema.yaml");
        Files.writeString(schemaFile, schema);
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, """
                server:
                  host: 127.0.0.1
                  port: %d
                  saveProfileDebounce: 1h
                  clientUpdateDebounce: 20ms
                database:
                  url: jdbc:h2:%s
                secrets:
                  file: %s
                schema:
                  file: %s
                """.formatted(port, dir.resolve("profiles").toAbsolutePath(),
                dir.resolve("secrets.yaml").toAbsolutePath(), schemaFile.toAbsolutePath()));
        return file;
    }

    /** Writes alice's profile under schema A, as a master with A would have: {@code coins: 120}. */
    private void writeUnderSchemaA(int port) throws Exception {
        Path a = config("a", SCHEMA_A, port);
        Path lines = dir.resolve("alice.jsonl");
        Files.writeString(lines, "{\"userId\":\"alice\",\"version\":1,\"savedAt\":\"2026-12-01T00:00:00Z\","
                + "\"data\":{\"displayName\":\"Alice\",\"coins\":120}}\n");
        JarProcess.Result imported = JarProcess.run(dir, COMMAND, "profile", "import", lines.toString(), "--config",
                a.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
    }

    private JsonNode show(Path config) throws Exception {
        JarProcess.Result shown = JarProcess.run(dir, COMMAND, "profile", "show", "alice", "--config",
                config.toString());
        assertThat(shown.exitCode()).as(shown.err()).isZero();
        return JSON.readTree(shown.out());
    }

    /** Starts the master on {@code config} with {@code flags}, renames alice through a client, stops it. */
    private void renameAliceThroughTheMaster(Path config, int port, String newName, String... flags)
            throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("serve", "--config", config.toString()));
        args.addAll(List.of(flags));
        try (JarProcess master = JarProcess.start(dir, args.toArray(String[]::new))) {
            master.awaitLine("Ready\\.", START);
            JarProcess.Result mint = JarProcess.run(dir, COMMAND, "token", "mint", "alice", "--config",
                    config.toString());
            assertThat(mint.exitCode()).as(mint.err()).isZero();
            try (ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder().port(port)
                    .token(mint.out().trim()).updateInterval(Duration.ofMillis(20))
                    .closeTimeout(Duration.ofSeconds(20)).build())) { // close sends the change, awaits its ack
                ObservableProfile mine = client.fillInProfileValues().get(30, TimeUnit.SECONDS);
                client.run(() -> mine.get("displayName", ObservableString.class).set(newName));
            }
            assertThat(master.terminate(Duration.ofSeconds(60))).as(master.output()).isZero();
            master.awaitLine("Master stopped; saved 1 profile\\(s\\) on the way out", START);
        }
    }

    @Test
    void aSchemaLackingAStoredPropertyRefusesToStartUntilTheFlagOrADeclaredDrop() throws Exception {
        int port = JarProcess.freePort();
        writeUnderSchemaA(port);
        Path b = config("b", SCHEMA_B, port);

        JarProcess.Result refused = JarProcess.run(dir, COMMAND, "serve", "--config", b.toString());
        assertThat(refused.exitCode()).as(refused.out() + refused.err()).isEqualTo(2);
        assertThat(refused.err()).contains("does not fit the stored profiles",
                "property 'coins' (int) is not in the schema: 1 stored profile(s) written with schema",
                "renamedFrom: [OLD]", "convertFrom: {type: OLDTYPE}", "dropped: [NAME]", "--allow-schema-drop");

        // With B declaring the drop it starts without the flag.
        Path drops = config("b-drops", SCHEMA_B_DROPS, port);
        try (JarProcess master = JarProcess.start(dir, "serve", "--config", drops.toString())) {
            master.awaitLine("Ready\\.", START);
            assertThat(master.terminate(Duration.ofSeconds(60))).as(master.output()).isZero();
        }

        // With the flag it starts; a save of alice under B keeps coins in the row, unchanged.
        renameAliceThroughTheMaster(b, port, "Ada", "--allow-schema-drop");
        JsonNode shown = show(b);
        assertThat(shown.get("data").get("displayName").asText()).isEqualTo("Ada");
        assertThat(shown.get("data").get("coins").asInt()).as(shown.toString()).isEqualTo(120);
    }

    @Test
    void aRenameDeclaredWithRenamedFromBringsTheStoredValueIntoTheNewProperty() throws Exception {
        int port = JarProcess.freePort();
        writeUnderSchemaA(port);
        Path renames = config("b-renames", SCHEMA_B_RENAMES, port);

        renameAliceThroughTheMaster(renames, port, "Ada");

        JsonNode shown = show(renames);
        assertThat(shown.get("data").get("gold").asLong()).as(shown.toString()).isEqualTo(120L);
        assertThat(shown.get("data").has("coins")).as(shown.toString()).isFalse();
        assertThat(shown.get("data").get("displayName").asText()).isEqualTo("Ada");
        assertThat(shown.get("schema").asText()).isEqualTo(shown.get("writtenWithSchema").asText());

        // Read with the schema the row was written with, whatever the configuration names now.
        JsonNode underA = show(config("a", SCHEMA_A, port));
        assertThat(underA.get("schema").asText()).isEqualTo(shown.get("writtenWithSchema").asText());
        assertThat(underA.get("data").get("gold").asLong()).isEqualTo(120L);
    }
}
