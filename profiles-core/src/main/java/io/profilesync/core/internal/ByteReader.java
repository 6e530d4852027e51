package io.profilesync.core.internal;

import io.profilesync.core.ProfileFormatException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Reads the primitive encodings that {@link ByteWriter} writes. It trusts nothing: every read checks the bytes that
 * remain, and every failure is a {@link ProfileFormatException} naming the offset and what was expected.
 *
 * <p>Not thread-safe: one reader per decoding.
 */
public final class ByteReader {
    private final byte[] bytes;
    private final int end;
    private int position;

    public ByteReader(byte[] bytes) {
        this(bytes, 0, bytes.length);
    }

    public ByteReader(byte[] bytes, int offset, int length) {
        if (offset < 0 || length < 0 || offset + length > bytes.length) {
            throw new IllegalArgumentException("slice [" + offset + ", +" + length + ") outside " + bytes.length);
        }
        this.bytes = bytes;
        this.position = offset;
        this.end = offset + length;
    }

    public int position() {
        return position;
    }

    public int remaining() {
        return end - position;
    }

    public boolean hasRemaining() {
        return position < end;
    }

    public ProfileFormatException error(String expected) {
        return new ProfileFormatException("at offset " + position + ": " + expected);
    }

    private void need(int count, String what) {
        if (end - position < count) {
            throw error("expected " + what + " (" + count + " bytes) but only " + (end - position) + " remain");
        }
    }

    public int readByte(String what) {
        need(1, what);
        return bytes[position++] & 0xFF;
    }

    public byte[] readBytes(int count, String what) {
        need(count, what);
        byte[] result = new byte[count];
        System.arraycopy(bytes, position, result, 0, count);
        position += count;
        return result;
    }

    public long readVarLong(String what) {
        int start = position;
        long result = 0;
        for (int shift = 0; shift < 70; shift += 7) {
            if (position >= end) {
                position = start;
                throw error("expected " + what + " (a varint) but the bytes end inside it");
            }
            int b = bytes[position++] & 0xFF;
            if (shift == 63 && (b & 0xFE) != 0) {
                position = start;
                throw error("expected " + what + " but the varint overflows 64 bits");
            }
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        position = start;
        throw error("expected " + what + " but the varint is longer than 10 bytes");
    }

    /** An unsigned varint that must fit a non-negative int. */
    public int readVarInt(String what) {
        int start = position;
        long value = readVarLong(what);
        if (value < 0 || value > Integer.MAX_VALUE) {
            position = start;
            throw error("expected " + what + " (0.." + Integer.MAX_VALUE + ") but found "
                    + Long.toUnsignedString(value));
        }
        return (int) value;
    }

    /** A count of items that each take at least {@code minBytesEach} bytes: refused when the bytes cannot hold them. */
    public int readCount(String what, int minBytesEach) {
        int start = position;
        int count = readVarInt(what);
        if ((long) count * minBytesEach > remaining()) {
            position = start;
            throw error(what + " is " + count + " but only " + remaining() + " bytes remain to hold them");
        }
        return count;
    }

    public long readSignedVarLong(String what) {
        long raw = readVarLong(what);
        return (raw >>> 1) ^ -(raw & 1);
    }

    public int readSignedVarInt(String what) {
        int start = position;
        long raw = readVarLong(what);
        if ((raw & ~0xFFFFFFFFL) != 0) {
            position = start;
            throw error("expected " + what + " (a 32-bit zigzag varint) but it is wider");
        }
        int zigzag = (int) raw;
        return (zigzag >>> 1) ^ -(zigzag & 1);
    }

    public int readIntLE(String what) {
        need(4, what);
        int value = (bytes[position] & 0xFF) | (bytes[position + 1] & 0xFF) << 8
                | (bytes[position + 2] & 0xFF) << 16 | (bytes[position + 3] & 0xFF) << 24;
        position += 4;
        return value;
    }

    public long readLongLE(String what) {
        need(8, what);
        long low = readIntLE(what) & 0xFFFFFFFFL;
        long high = readIntLE(what) & 0xFFFFFFFFL;
        return low | high << 32;
    }

    public short readShortLE(String what) {
        need(2, what);
        int value = (bytes[position] & 0xFF) | (bytes[position + 1] & 0xFF) << 8;
        position += 2;
        return (short) value;
    }

    public float readFloat(String what) {
        return Float.intBitsToFloat(readIntLE(what));
    }

    public double readDouble(String what) {
        return Double.longBitsToDouble(readLongLE(what));
    }

    public boolean readBoolean(String what) {
        int start = position;
        int b = readByte(what);
        if (b > 1) {
            position = start;
            throw error("expected " + what + " (a boolean, 0 or 1) but found " + b);
        }
        return b == 1;
    }

    public String readString(String what) {
        int start = position;
        int length = readVarInt(what + " length");
        if (length > remaining()) {
            position = start;
            throw error(what + " is " + length + " bytes long but only " + remaining() + " remain");
        }
        try {
            String value = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes, position, length))
                    .toString();
            position += length;
            return value;
        } catch (CharacterCodingException e) {
            position = start;
            throw error("expected " + what + " as UTF-8 but the bytes are not valid UTF-8");
        }
    }

    public void expectEnd(String what) {
        if (position != end) {
            throw error("expected the end of " + what + " but " + (end - position) + " bytes remain");
        }
    }
}
