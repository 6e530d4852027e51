package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.profilesync.master.HmacTokens;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The admin commands in this JVM: exit codes, messages, generated secrets, export and import. */
@Timeout(60)
class CommandLineTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    /** The output, error output and exit code of one command. */
    record Run(int exitCode, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine line = Main.commandLine();
        line.setOut(new PrintWriter(out, true));
        line.setErr(new PrintWriter(err, true));
        int code = line.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    Path config(String name, String extra) throws Exception {
        Path file = dir.resolve(name + ".yaml");
        Files.writeString(file, "database:\n  url: jdbc:h2:" + dir.resolve(name).toAbsolutePath() + "\n"
                + "secrets:\n  file: " + dir.resolve("secrets.yaml").toAbsolutePath() + "\n" + extra);
        return file;
    }

    @Test
    void aBadSettingExitsTwoWithOneMessage() throws Exception {
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "server:\n  port: 70000\n");
        Run run = run("serve", "--config", bad.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(run.err()).isEqualTo("profilesync: bad configuration: server.port: must be an integer from 0 to "
                + "65535, not 70000" + System.lineSeparator());
        assertThat(run("--config", bad.toString()).exitCode()).as("serve is the default").isEqualTo(2);
        assertThat(run("--config", dir.resolve("missing.yaml").toString()).err())
                .startsWith("profilesync: bad configuration: --config: cannot read ");
        assertThat(run("--no-such-option").exitCode()).isEqualTo(2);
    }

    @Test
    void tokenMintGeneratesPrivateSecretsOnceAndSignsWithThem() throws Exception {
        Path config = config("db", "");
        Run first = run("token", "mint", "alice", "--ttl", "10m", "--config", config.toString());
        assertThat(first.exitCode()).as(first.err()).isZero();
        Path secrets = dir.resolve("secrets.yaml");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(secrets))).isEqualTo("rw-------");
        JsonNode stored = new YAMLMapper().readTree(secrets.toFile());
        String tokenSecret = stored.get("tokenSecret").asText();
        assertThat(tokenSecret).hasSizeGreaterThanOrEqualTo(32);
        assertThat(stored.get("gameServerSecrets").get(0).asText()).hasSizeGreaterThanOrEqualTo(16);
        assertThat(HmacTokens.verify(tokenSecret, first.out().trim(), Clock.systemUTC())).isEqualTo("alice");

        Run second = run("token", "mint", "bob", "--config", config.toString());
        assertThat(HmacTokens.verify(tokenSecret, second.out().trim(), Clock.systemUTC()))
                .as("the same secret, not a new one").isEqualTo("bob");
        Files.setPosixFilePermissions(secrets, PosixFilePermissions.fromString("rw-r--r--"));
        assertThat(Secrets.resolve(Settings.load(config, Map.of())).description())
                .endsWith("WARNING: " + secrets + " is readable by other users: chmod 600 it");
        assertThat(run("token", "mint", "bob", "--ttl", "soon").err())
                .startsWith("profilesync: bad configuration: --ttl: must be a number with a unit");
    }

    @Test
    void exportThenImportIntoAnEmptyDatabaseGivesBackTheSameProfiles() throws Exception {
        Path source = config("source", "");
        Path target = config("target", "");
        Path input = dir.resolve("input.jsonl");
        Files.write(input, List.of(
                "{\"userId\":\"alice\",\"version\":3,\"savedAt\":\"2026-01-02T03:04:05.678Z\","
                        + "\"data\":{\"displayName\":\"Alice\",\"gold\":120,\"level\":7,"
                        + "\"items\":[\"sword\",\"shield\"]}}",
                "",
                "{\"userId\":\"bob\",\"version\":1,\"savedAt\":\"2026-01-01T00:00:00Z\",\"data\":{\"gold\":5}}"));
        assertThat(run("profile", "import", input.toString(), "--config", source.toString()).exitCode()).isZero();

        Path exported = dir.resolve("exported.jsonl");
        Run export = run("profile", "export", "--out", exported.toString(), "--config", source.toString());
        assertThat(export.exitCode()).as(export.err()).isZero();
        Run imported = run("profile", "import", exported.toString(), "--config", target.toString());
        assertThat(imported.exitCode()).as(imported.err()).isZero();
        Path again = dir.resolve("again.jsonl");
        assertThat(run("profile", "export", "--out", again.toString(), "--config", target.toString()).exitCode())
                .isZero();

        assertThat(lines(again)).isEqualTo(lines(exported)).hasSize(2);
        assertThat(lines(exported).get(0).get("version").asLong()).isEqualTo(3);
        assertThat(lines(exported).get(0).get("savedAt").asText()).isEqualTo("2026-01-02T03:04:05.678Z");

        Run refused = run("profile", "import", exported.toString(), "--config", target.toString());
        assertThat(refused.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(refused.err()).contains("2 of the 2 profile(s)").contains("already exist in the database "
                + "(alice, bob): nothing imported. Add --overwrite to replace them.");
        assertThat(run("profile", "import", exported.toString(), "--overwrite", "--config", target.toString())
                .exitCode()).isZero();

        Run show = run("profile", "show", "alice", "--config", target.toString());
        assertThat(show.exitCode()).isZero();
        JsonNode alice = JSON.readTree(show.out());
        assertThat(alice.get("version").asLong()).isEqualTo(3);
        assertThat(alice.get("data").get("gold").asInt()).isEqualTo(120);
        assertThat(run("profile", "show", "nobody", "--config", target.toString()).exitCode())
                .isEqualTo(ExitCodes.NOT_FOUND);
    }

    @Test
    void importRefusesAProfileThatDoesNotFitTheSchema() throws Exception {
        Path input = dir.resolve("bad.jsonl");
        Files.write(input, List.of("{\"userId\":\"eve\",\"version\":1,\"savedAt\":\"2026-01-01T00:00:00Z\","
                + "\"data\":{\"gold\":\"lots\"}}"));
        Run run = run("profile", "import", input.toString(), "--config", config("db", "").toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(run.err()).contains("line 1: the profile of 'eve' does not fit the schema");
    }

    @Test
    void backupWritesAFileAndPostgresGetsPgDumpAdvice() throws Exception {
        Path config = config("db", "");
        Run run = run("backup", "--config", config.toString());
        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).startsWith("Backup written to ").contains(".zip");
        Path pg = dir.resolve("pg.yaml");
        Files.writeString(pg,
                "database:\n  url: jdbc:postgresql://db.example:5432/profiles?reWriteBatchedInserts=true\n");
        Run advice = run("backup", "--config", pg.toString());
        assertThat(advice.exitCode()).isEqualTo(ExitCodes.FAILURE);
        assertThat(advice.err()).contains("pg_dump --format=custom --file=profiles-$(date +%F).dump "
                + "'postgresql://db.example:5432/profiles'");
    }

    static List<JsonNode> lines(Path file) throws Exception {
        return Files.readAllLines(file).stream().filter(line -> !line.isBlank()).map(line -> {
            try {
                return JSON.readTree(line);
            } catch (Exception e) {
                throw new AssertionError(line, e);
            }
        }).toList();
    }
}
