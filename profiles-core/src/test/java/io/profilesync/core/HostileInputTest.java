package io.profilesync.core;

import static io.profilesync.core.Fixtures.unhex;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Truncated, corrupt and hostile bytes: decoding throws {@link ProfileFormatException} and nothing else, never runs
 * out of memory, and leaves the target profile as it was. Corruptions that happen to decode are fine.
 */
class HostileInputTest {
    private static final BiConsumer<ObservableProfile, byte[]> WHOLE = ObservableProfile::fromBytes;
    private static final BiConsumer<ObservableProfile, byte[]> DELTA = ObservableProfile::applyUpdates;

    /** A valid input and the profile it is decoded into. */
    private record Sample(String name, ObservableProfile target, byte[] bytes,
            BiConsumer<ObservableProfile, byte[]> decode) {
    }

    private static List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        ObservableProfile filled = Fixtures.everyType();
        Fixtures.fillEveryType(filled);
        samples.add(new Sample("filled whole", Fixtures.everyType(), filled.toBytes(), WHOLE));
        samples.add(new Sample("default whole", filled.copy(), Fixtures.everyType().toBytes(), WHOLE));
        samples.add(new Sample("filled delta", Fixtures.everyType(), filled.getUpdates(), DELTA));
        Random random = new Random(11);
        RandomOps ops = new RandomOps(random);
        for (int i = 0; i < 6; i++) {
            ObservableProfile base = filled.copy();
            ObservableProfile source = base.copy();
            for (int j = 0; j < 10 + 10 * i; j++) {
                ops.change(source);
            }
            samples.add(new Sample("random delta " + i, base, source.getUpdates(), DELTA));
            samples.add(new Sample("random whole " + i, base.copy(), source.toBytes(), WHOLE));
        }
        return samples;
    }

    @Test
    void everyTruncationIsRefusedAndChangesNothing() {
        int checked = 0;
        for (Sample sample : samples()) {
            sample.decode.accept(sample.target.copy(), sample.bytes);
            for (int length = 0; length < sample.bytes.length; length++) {
                byte[] truncated = Arrays.copyOf(sample.bytes, length);
                ObservableProfile target = sample.target.copy();
                byte[] before = target.toBytes();
                assertThatThrownBy(() -> sample.decode.accept(target, truncated))
                        .as("%s cut to %d of %d bytes", sample.name, length, sample.bytes.length)
                        .isInstanceOf(ProfileFormatException.class).hasMessageStartingWith("at offset ");
                assertThat(target.toBytes()).isEqualTo(before);
                assertThat(target.hasUpdates()).isFalse();
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(1000);
    }

    @Test
    void randomCorruptionsAreRefusedOrDecodeButNeverThrowAnythingElse() {
        Random random = new Random(2026);
        int refused = 0;
        int attempts = 0;
        for (Sample sample : samples()) {
            for (int i = 0; i < 3000; i++) {
                byte[] corrupt = corrupt(sample.bytes, random);
                ObservableProfile target = sample.target.copy();
                byte[] before = target.toBytes();
                attempts++;
                try {
                    sample.decode.accept(target, corrupt);
                } catch (ProfileFormatException e) {
                    refused++;
                    assertThat(e.getMessage()).isNotBlank();
                    assertThat(target.toBytes()).as("%s corrupted: %s", sample.name, Fixtures.hex(corrupt))
                            .isEqualTo(before);
                } catch (RuntimeException | Error e) {
                    fail(sample.name + " corrupted to " + Fixtures.hex(corrupt) + " threw " + e, e);
                }
            }
        }
        assertThat(refused).as("most corruptions are refused").isGreaterThan(attempts / 2);
    }

    private static byte[] corrupt(byte[] valid, Random random) {
        byte[] bytes = valid.clone();
        switch (random.nextInt(7)) {
            case 0 -> {
                for (int flips = 1 + random.nextInt(3); flips > 0; flips--) {
                    bytes[random.nextInt(bytes.length)] ^= (byte) (1 << random.nextInt(8));
                }
            }
            case 1 -> bytes[random.nextInt(bytes.length)] = (byte) random.nextInt(256);
            case 2 -> {
                bytes = new byte[random.nextInt(64)];
                random.nextBytes(bytes);
            }
            case 3 -> {
                int at = random.nextInt(bytes.length);
                byte[] huge = {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x07};
                System.arraycopy(huge, 0, bytes, at, Math.min(huge.length, bytes.length - at));
            }
            case 4 -> {
                int at = random.nextInt(bytes.length + 1);
                byte[] longer = new byte[bytes.length + 1];
                System.arraycopy(bytes, 0, longer, 0, at);
                longer[at] = (byte) random.nextInt(256);
                System.arraycopy(bytes, at, longer, at + 1, bytes.length - at);
                bytes = longer;
            }
            case 5 -> {
                int at = random.nextInt(bytes.length);
                byte[] shorter = new byte[bytes.length - 1];
                System.arraycopy(bytes, 0, shorter, 0, at);
                System.arraycopy(bytes, at + 1, shorter, at, bytes.length - at - 1);
                bytes = shorter;
            }
            default -> {
                int from = random.nextInt(bytes.length);
                int to = random.nextInt(bytes.length);
                byte swap = bytes[from];
                bytes[from] = bytes[to];
                bytes[to] = swap;
            }
        }
        return bytes;
    }

    /**
     * Deltas for the profile of every type; each property's header is its index times 4 plus the update kind:
     * gold (int) is index 0 (header 00, increment 01), nick 5 (14), ints 9 (24), counts (dict string→int) 15 (3c).
     */
    @ParameterizedTest
    @ValueSource(strings = {
        "ff ff ff ff 07 00 00", // property count far beyond the bytes
        "ff ff ff ff ff ff ff ff ff ff 01", // varint longer than 10 bytes
        "ff ff ff ff ff ff ff ff ff 7f", // varint overflowing 64 bits
        "01 4c 00", // index 19: unknown (the profile has 19 properties)
        "01 ff ff ff ff 0f 00", // index beyond int range
        "02 04 00 00 00", // indices out of order
        "02 00 00 00 00", // the same index twice
        "01 00 ff ff ff ff ff 01", // int wider than 32 bits
        "01 10 02", // bool 2
        "01 14 ff ff ff ff 07 41", // string length far beyond the bytes
        "01 14 02 c3 28", // string that is not UTF-8
        "01 14 02 ed a0", // UTF-8 of a surrogate (truncated anyway)
        "01 14 03 ed a0 80", // UTF-8 of a lone surrogate
        "01 20 00 80 00 00 00 00", // quantized component -32768 steps, outside ±32767
        "01 24 ff ff ff ff 07 01 00", // operation count far beyond the bytes
        "01 24 01 06", // unknown list operation 6
        "01 24 01 ff", // unknown list operation 255
        "01 24 01 00 00 02", // set index 0 of an empty list
        "01 24 01 02 01 02", // insert at 1 into an empty list
        "01 24 01 03 00", // remove from an empty list
        "01 24 02 01 02 03 01", // remove index 1 of a one-element list
        "01 24 01 05 ff ff ff ff 07", // replace with a huge count
        "01 3c 01 04", // unknown dictionary operation 4
        "01 3c 01 03 02 01 62 02 01 61 04", // replace with keys out of order
        "01 3c 01 03 02 01 61 02 01 61 04", // replace with a repeated key
        "01 3c 01 00 01 61", // put without a value
        "01 00 02 00", // one byte left over after the delta
        "01 03 00", // update kind 3: undefined
        "01 15 00", // an increment of a string
        "01 25 00", // an increment of a list
        "01 01", // an increment without its amount
        "01 02 02 00", // a bounded increment whose bounds byte is 0
        "01 02 02 04 00", // a bounded increment whose bounds byte is 4
        "01 02 02 03 00", // a bounded increment missing its upper bound
        "01 01 ff ff ff ff ff 01", // an increment of gold wider than 32 bits
        ""})
    void hostileDeltasAreRefusedWithTheirOffset(String hex) {
        ObservableProfile target = Fixtures.everyType();
        byte[] before = target.toBytes();
        assertThatThrownBy(() -> target.applyUpdates(unhex(hex))).isInstanceOf(ProfileFormatException.class)
                .hasMessageStartingWith("at offset ");
        assertThat(target.toBytes()).isEqualTo(before);
    }

    @Test
    void hostileWholeProfilesAreRefused() {
        ObservableProfile target = Fixtures.everyType();
        byte[] valid = target.toBytes();
        byte[] before = target.toBytes();
        for (int index = 0; index < valid.length; index++) {
            for (byte value : new byte[] {(byte) 0xff, (byte) 0x80, 0x7f}) {
                byte[] hostile = valid.clone();
                hostile[index] = value;
                try {
                    target.copy().fromBytes(hostile);
                } catch (ProfileFormatException expected) {
                    assertThat(expected.getMessage()).startsWith("at offset ");
                }
            }
        }
        byte[] hugeList = Arrays.copyOf(valid, valid.length + 4);
        assertThatThrownBy(() -> target.fromBytes(hugeList)).hasMessageContaining("bytes remain");
        assertThat(target.toBytes()).isEqualTo(before);
    }

    @Test
    void aDeltaIsAllOrNothingEvenWhenOnlyItsLastPropertyIsBad() {
        ObservableProfile source = Fixtures.everyType();
        ObservableProfile target = source.copy();
        Fixtures.fillEveryType(source);
        byte[] delta = source.getUpdates();
        delta[delta.length - 1] = (byte) 0x80;
        byte[] before = target.toBytes();
        List<String> fired = new ArrayList<>();
        target.addListener(p -> fired.add(p.name()));
        assertThatThrownBy(() -> target.applyUpdates(delta)).isInstanceOf(ProfileFormatException.class)
                .hasMessageContaining("at offset " + (delta.length - 1));
        assertThat(target.toBytes()).isEqualTo(before);
        assertThat(fired).isEmpty();
    }
}
