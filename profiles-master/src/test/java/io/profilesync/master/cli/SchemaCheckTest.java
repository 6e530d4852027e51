package io.profilesync.master.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.core.AppliedBatches;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.db.StoredProfile;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.SchemaException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The start check of a new schema against the schemas that wrote the stored rows, on an H2 file. */
class SchemaCheckTest {
    static final Logger LOG = LoggerFactory.getLogger(SchemaCheckTest.class);
    static final ProfileSchema OLD = ProfileSchema.fromYaml("""
            properties:
              - {name: level, type: int}
              - {name: coins, type: int}
            """);

    @TempDir
    Path dir;
    JdbiProfilesAccessor accessor;

    @BeforeEach
    void storeTwoRowsUnderTheOldSchema() {
        accessor = JdbiProfilesAccessor.create("jdbc:h2:" + dir.resolve("profiles"));
        accessor.recordSchema(OLD.fingerprint(), OLD.toJson());
        accessor.importStored(List.of(
                new StoredProfile("a", "{\"level\":1,\"coins\":5}", 1, Instant.EPOCH, OLD.fingerprint(),
                        AppliedBatches.EMPTY),
                new StoredProfile("b", "{\"level\":2,\"coins\":6}", 1, Instant.EPOCH, OLD.fingerprint(),
                        AppliedBatches.EMPTY)));
    }

    @AfterEach
    void close() {
        accessor.close();
    }

    private void check(String yaml, boolean allowDrop) {
        SchemaCheck.checkAndRecord(ProfileSchema.fromYaml(yaml), "new.yaml", accessor, allowDrop, LOG);
    }

    @Test
    void aTypeChangeWithoutConversionIsRefusedEvenWithTheFlag() {
        String retyped = "properties:\n  - {name: level, type: string}\n  - {name: coins, type: int}\n";
        for (boolean allowDrop : new boolean[] {false, true}) {
            assertThatThrownBy(() -> check(retyped, allowDrop)).isInstanceOf(SchemaException.class)
                    .hasMessageContaining("property 'level' was int and is string in the schema, with no convertFrom: "
                            + "2 stored profile(s) written with schema " + OLD.fingerprint().substring(0, 12));
        }
        assertThatCode(() -> check("properties:\n  - {name: level, type: string, convertFrom: {type: int}}\n"
                + "  - {name: coins, type: int}\n", false)).doesNotThrowAnyException();
    }

    @Test
    void aDropIsRefusedUnlessDeclaredOrAllowedAndARenameNeedsAFittingType() {
        assertThatThrownBy(() -> check("properties:\n  - {name: level, type: int}\n", false))
                .hasMessageContaining("property 'coins' (int) is not in the schema: 2 stored profile(s)")
                .hasMessageContaining("--allow-schema-drop");
        assertThatCode(() -> check("properties:\n  - {name: level, type: int}\n", true)).doesNotThrowAnyException();
        assertThatCode(() -> check("properties:\n  - {name: level, type: int}\ndropped: [coins]\n", false))
                .doesNotThrowAnyException();
        assertThatThrownBy(() -> check("properties:\n  - {name: level, type: int}\n"
                + "  - {name: gold, type: bool, renamedFrom: [coins]}\n", false))
                .hasMessageContaining("property 'coins' was int and is bool (as 'gold')");
        assertThatCode(() -> check("properties:\n  - {name: level, type: int}\n"
                + "  - {name: gold, type: double, renamedFrom: [coins], convertFrom: {type: int}}\n", false))
                .doesNotThrowAnyException();
    }

    @Test
    void aSchemaThatPassesIsRecordedForTheNextStart() {
        ProfileSchema grown = ProfileSchema.fromYaml("properties:\n  - {name: level, type: int}\n"
                + "  - {name: coins, type: int}\n  - {name: gems, type: int}\n");
        SchemaCheck.checkAndRecord(grown, "grown.yaml", accessor, false, LOG);
        assertThat(accessor.storedSchema(grown.fingerprint())).contains(grown.toJson());
        assertThat(accessor.rowsBySchema()).containsEntry(OLD.fingerprint(), 2L);
    }
}
