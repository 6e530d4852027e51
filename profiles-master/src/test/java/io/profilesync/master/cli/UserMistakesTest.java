package io.profilesync.master.cli;

import static io.profilesync.master.cli.CommandLineTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import io.profilesync.core.UserIds;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.master.cli.CommandLineTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each mistake a user can make on the command line gets one line naming the mistake and the fix, exit code 2, and no
 * stack trace; and the import refuses a whole file with every problem and its line.
 */
@Timeout(60)
class UserMistakesTest {
    static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    Path config(String extra) throws Exception {
        Path file = dir.resolve("master.yaml");
        Files.writeString(file, "database:\n  url: jdbc:h2:" + dir.resolve("db").toAbsolutePath() + "\n"
                + "secrets:\n  file: " + dir.resolve("secrets.yaml").toAbsolutePath() + "\n" + extra);
        return file;
    }

    /** One line on standard error, exit code 2, no trace. */
    static void assertUserMistake(Run run, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(run.err()).isEqualTo("profilesync: " + message + NL);
        assertThat(run.err()).doesNotContain("a bug").doesNotContain("\tat ");
    }

    @Test
    void aMissingImportFileIsRefusedBeforeTheDatabaseIsCreated() throws Exception {
        Path missing = dir.resolve("nope.jsonl");
        assertUserMistake(run("profile", "import", missing.toString(), "--config", config("").toString()),
                "cannot import " + missing + ": no such file; give the path of a JSON lines file, such as one "
                        + "written by `profile export --out FILE`");
        assertThat(dir.resolve("db.mv.db")).doesNotExist();
        assertUserMistake(run("profile", "import", dir.toString(), "--config", config("").toString()),
                "cannot import " + dir + ": not a file; give the path of a JSON lines file, such as one written by "
                        + "`profile export --out FILE`");
    }

    @Test
    void anUnwritableExportPathNamesThePath() throws Exception {
        Path inMissingFolder = dir.resolve("no-such-folder").resolve("out.jsonl");
        assertUserMistake(run("profile", "export", "--out", inMissingFolder.toString(), "--config",
                config("").toString()), "cannot use " + inMissingFolder + ": no such file or folder; check the path, "
                + "that its folder exists, and its permissions");
        Run intoAFolder = run("profile", "export", "--out", dir.toString(), "--config", config("").toString());
        assertThat(intoAFolder.exitCode()).isEqualTo(ExitCodes.CONFIGURATION);
        assertThat(intoAFolder.err()).startsWith("profilesync: cannot use " + dir + ": ").doesNotContain("\tat ");
    }

    @Test
    void anEmptyOrBadUserIdIsRefusedWithTheRule() throws Exception {
        String config = config("").toString();
        assertUserMistake(run("profile", "show", "", "--config", config), "Invalid value for positional parameter at "
                + "index 0 (USER): the user id is empty: " + UserIds.RULE + " (usage: profiles-master profile show "
                + "--help)");
        assertUserMistake(run("token", "mint", "", "--config", config), "Invalid value for positional parameter at "
                + "index 0 (USER): the user id is empty: " + UserIds.RULE + " (usage: profiles-master token mint "
                + "--help)");
        assertUserMistake(run("token", "mint", "x".repeat(129), "--config", config), "Invalid value for positional "
                + "parameter at index 0 (USER): " + UserIds.problem("x".repeat(129)) + " (usage: profiles-master "
                + "token mint --help)");
        assertUserMistake(run("profile", "show", "al ice", "--config", config), "Invalid value for positional "
                + "parameter at index 0 (USER): " + UserIds.problem("al ice") + " (usage: profiles-master profile show "
                + "--help)");
        assertThat(dir.resolve("db.mv.db")).as("refused before opening the database").doesNotExist();
    }

    @Test
    void aBadCommandLineIsOneLine() throws Exception {
        assertUserMistake(run("--no-such-option"), "Unknown option: '--no-such-option' (usage: profiles-master --help)");
        assertUserMistake(run("profile"), "Missing required subcommand (usage: profiles-master profile --help)");
        assertUserMistake(run("profile", "show"), "Missing required parameter: 'USER' (usage: profiles-master profile "
                + "show --help)");
        assertUserMistake(run("profile", "import"), "Missing required parameter: 'FILE' (usage: profiles-master "
                + "profile import --help)");
        assertUserMistake(run("profile", "frobnicate"), "Unmatched argument at index 1: 'frobnicate' (usage: "
                + "profiles-master profile --help)");
        assertUserMistake(run("token", "mint", "bob", "--ttl", "0", "--config", config("").toString()),
                "bad configuration: --ttl: must be more than 0");
    }

    @Test
    void importRefusesTheWholeFileWithEveryProblemAndItsLine() throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, """
                {"properties": [
                  {"name": "name", "type": "string", "maxLength": 32},
                  {"name": "level", "type": "int", "default": 1, "min": 1, "max": 100},
                  {"name": "coins", "type": "int", "min": 0}
                ]}
                """);
        Path config = config("schema:\n  file: " + schema.toAbsolutePath() + "\n");
        Path input = dir.resolve("input.jsonl");
        String head = "{\"version\":1,\"savedAt\":\"2026-01-01T00:00:00Z\",";
        Files.write(input, List.of(
                head + "\"userId\":\"fine\",\"data\":{\"name\":\"Fine\",\"level\":100,\"coins\":0}}",
                head + "\"userId\":\"high\",\"data\":{\"level\":500}}",
                head + "\"userId\":\"poor\",\"data\":{\"coins\":-5}}",
                "",
                head + "\"userId\":\"long\",\"data\":{\"name\":\"" + "n".repeat(50) + "\"}}",
                head + "\"userId\":\"extra\",\"data\":{\"gold\":5,\"coins\":\"many\",\"level\":0}}",
                head + "\"userId\":\"fine\",\"data\":{}}",
                head + "\"userId\":\"a b\",\"data\":{}}",
                "not json"));
        Run run = run("profile", "import", input.toString(), "--config", config.toString());
        assertThat(run.exitCode()).isEqualTo(ExitCodes.FAILURE);
        String fit = " does not fit the schema: ";
        assertThat(run.err()).isEqualTo("profilesync: " + input + ": nothing imported, 9 problem(s) to fix first:\n"
                + "  line 2: the profile of 'high'" + fit + "level 500 is above the maximum 100\n"
                + "  line 3: the profile of 'poor'" + fit + "coins -5 is below the minimum 0\n"
                + "  line 5: the profile of 'long'" + fit + "name is 50 characters long, above the maximum length 32\n"
                + "  line 6: the profile of 'extra'" + fit + "property 'gold' is not in the schema ("
                + ProfileSchema.load(schema).fingerprint().substring(0, 12) + "); remove it, or add it to the "
                + "schema first\n"
                + "  line 6: the profile of 'extra'" + fit + "property 'coins': expected a 32-bit integer but found STRING \"many\"\n"
                + "  line 6: the profile of 'extra'" + fit + "level 0 is below the minimum 1\n"
                + "  line 7: user 'fine' appears twice (first on line 1)\n"
                + "  line 8: " + UserIds.problem("a b") + "\n"
                + "  line 9: not JSON: Unrecognized token 'not': was expecting (JSON String, Number, Array, Object or token "
                + "'null', 'true' or 'false')" + NL);
        Run export = run("profile", "export", "--config", config.toString());
        assertThat(export.exitCode()).isZero();
        assertThat(export.err()).startsWith("Exported 0 profile(s)");
    }
}
