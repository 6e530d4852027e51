package io.profilesync.core.internal;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer with the primitive encodings of the wire format (LEB128 varints, zigzag, little-endian).
 *
 * <p>Not thread-safe: one writer per encoding.
 */
public final class ByteWriter {
    private byte[] buffer;
    private int position;

    public ByteWriter() {
        this(32);
    }

    public ByteWriter(int initialCapacity) {
        buffer = new byte[Math.max(8, initialCapacity)];
    }

    private void ensure(int more) {
        if (position + more > buffer.length) {
            buffer = Arrays.copyOf(buffer, Math.max(buffer.length * 2, position + more));
        }
    }

    public int position() {
        return position;
    }

    public void reset() {
        position = 0;
    }

    public void writeByte(int value) {
        ensure(1);
        buffer[position++] = (byte) value;
    }

    public void writeBytes(byte[] bytes) {
        writeBytes(bytes, 0, bytes.length);
    }

    public void writeBytes(byte[] bytes, int offset, int length) {
        ensure(length);
        System.arraycopy(bytes, offset, buffer, position, length);
        position += length;
    }

    /** Unsigned LEB128: 7 bits a byte, low bits first, high bit set on every byte but the last. */
    public void writeVarLong(long value) {
        ensure(10);
        while ((value & ~0x7FL) != 0) {
            buffer[position++] = (byte) ((value & 0x7F) | 0x80);
            value >>>= 7;
        }
        buffer[position++] = (byte) value;
    }

    /** An unsigned varint; {@code value} must not be negative. */
    public void writeVarInt(int value) {
        if (value < 0) {
            throw new IllegalArgumentException("varint must not be negative: " + value);
        }
        writeVarLong(value);
    }

    /** Zigzag (0, -1, 1, -2 … become 0, 1, 2, 3 …) then LEB128, so small negative numbers stay short. */
    public void writeSignedVarLong(long value) {
        writeVarLong((value << 1) ^ (value >> 63));
    }

    public void writeSignedVarInt(int value) {
        writeVarLong(((value << 1) ^ (value >> 31)) & 0xFFFFFFFFL);
    }

    public void writeIntLE(int value) {
        ensure(4);
        buffer[position++] = (byte) value;
        buffer[position++] = (byte) (value >>> 8);
        buffer[position++] = (byte) (value >>> 16);
        buffer[position++] = (byte) (value >>> 24);
    }

    public void writeLongLE(long value) {
        writeIntLE((int) value);
        writeIntLE((int) (value >>> 32));
    }

    public void writeShortLE(int value) {
        ensure(2);
        buffer[position++] = (byte) value;
        buffer[position++] = (byte) (value >>> 8);
    }

    /**
     * IEEE 754 bits, little-endian. Every NaN is written as the canonical quiet NaN (0x7fc00000): the properties
     * compare floats by {@link Float#floatToIntBits}, for which all NaNs are equal, and JSON carries only "NaN", so
     * a NaN payload must not travel either, or copies that compare equal would encode differently.
     */
    public void writeFloat(float value) {
        writeIntLE(Float.floatToIntBits(value));
    }

    /** As {@link #writeFloat(float)}: every NaN is written as the canonical NaN 0x7ff8000000000000. */
    public void writeDouble(double value) {
        writeLongLE(Double.doubleToLongBits(value));
    }

    public void writeString(String value) {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        writeVarInt(utf8.length);
        writeBytes(utf8);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(buffer, position);
    }
}
