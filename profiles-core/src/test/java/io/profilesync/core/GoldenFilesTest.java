package io.profilesync.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the wire format: the whole encoding and the delta of a fixed profile of every type (collections with every
 * operation) are committed under {@code src/test/resources/golden/} as hex text. If this test fails, the encoding
 * changed: that breaks every stored and in-flight byte, so bump {@link ObservableProfile#FORMAT_VERSION} (the whole
 * encoding) or the protocol version (a delta travels only inside messages), update {@code docs/wire-format.md} and
 * the message golden files, then regenerate the files with
 * {@code mvn -o -q -pl profiles-core test -Dtest=GoldenFilesTest -Dgolden.update=true} and commit them.
 */
class GoldenFilesTest {
    private static final Path DIRECTORY = Path.of("src/test/resources/golden");
    private static final boolean UPDATE = Boolean.getBoolean("golden.update");

    @Test
    void wholeProfileOfEveryTypeIsUnchanged() throws IOException {
        ObservableProfile profile = Fixtures.everyType();
        Fixtures.fillEveryType(profile);
        byte[] golden = check("every-type-whole.hex", profile.toBytes(),
                "Whole encoding (toBytes) of Fixtures.everyType() after Fixtures.fillEveryType().");
        ObservableProfile decoded = Fixtures.everyType();
        decoded.fromBytes(golden);
        assertThat(decoded.toJson()).isEqualTo(profile.toJson());
    }

    @Test
    void deltaOfEveryTypeAndEveryOperationIsUnchanged() throws IOException {
        ObservableProfile profile = Fixtures.everyType();
        ObservableProfile replica = profile.copy();
        Fixtures.fillEveryType(profile);
        byte[] golden = check("every-type-delta.hex", profile.getUpdates(),
                "Delta (getUpdates) of Fixtures.fillEveryType() applied to Fixtures.everyType().");
        replica.applyUpdates(golden);
        assertThat(replica.toJson()).isEqualTo(profile.toJson());
    }

    @Test
    void incrementsOfEveryNumberTypeAreUnchanged() throws IOException {
        ObservableProfile profile = Fixtures.everyType();
        ObservableProfile replica = profile.copy();
        profile.get("gold", ObservableInt.class).add(5);
        profile.get("xp", ObservableLong.class).subtract(3L, -100L);
        profile.get("speed", ObservableFloat.class).add(1.5f, 10f);
        ObservableDouble ratio = profile.get("ratio", ObservableDouble.class);
        ratio.add(0.25, 1.0);
        ratio.subtract(0.5, -1.0); // composed: -0.25 within [-1.0, 0.5]
        byte[] golden = check("every-number-increments.hex", profile.getUpdates(),
                "Delta (getUpdates) of gold.add(5), xp.subtract(3, -100), speed.add(1.5, 10), ratio.add(0.25, 1) then "
                        + "ratio.subtract(0.5, -1) on Fixtures.everyType().");
        replica.applyUpdates(golden);
        assertThat(replica.toJson()).isEqualTo(profile.toJson());
    }

    private static byte[] check(String file, byte[] actual, String description) throws IOException {
        Path path = DIRECTORY.resolve(file);
        if (UPDATE) {
            Files.createDirectories(DIRECTORY);
            Files.writeString(path, format(actual, description), StandardCharsets.UTF_8);
        }
        assertThat(path).as("golden file %s is missing; run with -Dgolden.update=true to create it", path)
                .exists();
        String expected = Files.readAllLines(path, StandardCharsets.UTF_8).stream()
                .filter(line -> !line.startsWith("#"))
                .collect(Collectors.joining(" ")).trim();
        assertThat(Fixtures.hex(actual))
                .as("encoding of %s changed: see GoldenFilesTest's javadoc before regenerating", file)
                .isEqualTo(expected.replaceAll("\\s+", " "));
        return Fixtures.unhex(expected);
    }

    private static String format(byte[] bytes, String description) {
        StringBuilder text = new StringBuilder();
        text.append("# ").append(description).append('\n')
                .append("# ").append(bytes.length).append(" bytes, hex. Regenerate: see GoldenFilesTest.\n");
        for (int offset = 0; offset < bytes.length; offset += 16) {
            byte[] line = java.util.Arrays.copyOfRange(bytes, offset, Math.min(bytes.length, offset + 16));
            text.append(Fixtures.hex(line)).append('\n');
        }
        return text.toString();
    }
}
