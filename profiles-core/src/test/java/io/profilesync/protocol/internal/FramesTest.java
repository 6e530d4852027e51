package io.profilesync.protocol.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.profilesync.protocol.ProtocolException;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A frame is exactly the body KryoNet puts after its length: the golden bytes, and nothing more or less. */
class FramesTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void everyMessageFramesAsItsGoldenBytesAndBack() throws Exception {
        for (Map.Entry<String, Object> sample : MessagesCodecTest.samples().entrySet()) {
            byte[] golden = HEX.parseHex(java.nio.file.Files.readString(
                    java.nio.file.Path.of("src/test/resources/golden-messages", sample.getKey() + ".hex")).trim());
            Messages.Message message = (Messages.Message) sample.getValue();
            assertThat(Frames.encode(message)).as(sample.getKey()).isEqualTo(golden);
            assertThat(Frames.decode(golden, 0, golden.length)).usingRecursiveComparison().isEqualTo(message);
        }
    }

    @Test
    void bytesAfterTheMessageAreRefused() {
        assertThatThrownBy(() -> Frames.decode(HEX.parseHex("7000"), 0, 2))
                .isInstanceOf(ProtocolException.class).hasMessageContaining("1 bytes follow the ProfileRequest");
    }

    @Test
    void garbageEmptinessNullsAndForgedCountsAreProtocolExceptions() {
        for (String hex : new String[] {"", "00", "01", "5a00", "7b0103", "7d01ffffffff07", "7dffffffffffffffffffffff",
                "ffffffffff"}) {
            byte[] bytes = HEX.parseHex(hex);
            assertThatThrownBy(() -> Frames.decode(bytes, 0, bytes.length)).as(hex)
                    .isInstanceOf(ProtocolException.class);
        }
    }
}
