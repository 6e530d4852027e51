package io.profilesync.core;

/**
 * An immutable triple of floats, the value of {@link ObservableVector3}. Equality compares the bits of each
 * component, so it is exact.
 *
 * <p>Immutable and thread-safe.
 */
public record Vector3(float x, float y, float z) {
    public static final Vector3 ZERO = new Vector3(0f, 0f, 0f);

    @Override
    public boolean equals(Object other) {
        return other instanceof Vector3 v
                && Float.floatToIntBits(x) == Float.floatToIntBits(v.x)
                && Float.floatToIntBits(y) == Float.floatToIntBits(v.y)
                && Float.floatToIntBits(z) == Float.floatToIntBits(v.z);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Float.floatToIntBits(x) + Float.floatToIntBits(y)) + Float.floatToIntBits(z);
    }
}
