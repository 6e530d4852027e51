package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import io.profilesync.core.internal.JsonNumbers;
import java.io.IOException;

/**
 * A position or direction: three floats. Unquantized it travels as 12 bytes. Quantized to a {@code step} (such as
 * 0.01), every value is rounded to a multiple of the step when set, so all copies hold the same value, and each
 * component travels as a 16-bit integer count of steps: 6 bytes, within ±32767 steps (±327.67 for 0.01). A value
 * outside that range is refused with {@link IllegalArgumentException}. Threading: as {@link ObservableProperty}.
 */
public final class ObservableVector3 extends ObservableScalar<Vector3> {
    private final float step;

    /** An unquantized vector. */
    public ObservableVector3(String name, Vector3 initialValue) {
        this(name, initialValue, 0f);
    }

    public ObservableVector3(String name) {
        this(name, Vector3.ZERO, 0f);
    }

    /**
     * A vector quantized to {@code step}, or unquantized when {@code step} is 0.
     *
     * @throws IllegalArgumentException when step is negative, NaN or infinite
     */
    public ObservableVector3(String name, Vector3 initialValue, float step) {
        super(name, checkStep(name, step, initialValue));
        this.step = step;
    }

    // The superclass constructor normalizes the initial value before the step field is set, so check it here.
    private static Vector3 checkStep(String name, float step, Vector3 initialValue) {
        if (!(step >= 0f) || Float.isInfinite(step)) {
            throw new IllegalArgumentException("quantization step of '" + name + "' must be 0 (none) or a positive "
                    + "number such as 0.01, not " + step);
        }
        return step == 0f ? initialValue : quantize(name, step, initialValue);
    }

    /** The quantization step, 0 when unquantized. */
    public float step() {
        return step;
    }

    /** The largest magnitude a quantized component may have: 32767 steps. */
    public float maxMagnitude() {
        return step == 0f ? Float.MAX_VALUE : 32767 * step;
    }

    public void set(float x, float y, float z) {
        set(new Vector3(x, y, z));
    }

    @Override
    protected Vector3 normalize(Vector3 candidate) {
        return step == 0f ? candidate : quantize(name(), step, candidate);
    }

    private static Vector3 quantize(String name, float step, Vector3 v) {
        return new Vector3(quantize(name, step, v.x()), quantize(name, step, v.y()), quantize(name, step, v.z()));
    }

    private static float quantize(String name, float step, float component) {
        long steps = Math.round((double) component / step);
        if (!Float.isFinite(component) || steps > Short.MAX_VALUE || steps < -Short.MAX_VALUE) {
            throw new IllegalArgumentException("component " + component + " of '" + name + "' is outside ±"
                    + new java.math.BigDecimal(Float.toString(step)).multiply(java.math.BigDecimal.valueOf(32767))
                            .stripTrailingZeros().toPlainString() + ", the range of a vector quantized to " + step
                    + "; use a larger step or an unquantized vector");
        }
        return (float) (steps * (double) step);
    }

    @Override
    public String typeDescriptor() {
        return step == 0f ? "vector3" : "vector3/" + step;
    }

    @Override
    public ObservableVector3 copy() {
        return new ObservableVector3(name(), get(), step);
    }

    @Override
    protected void write(Vector3 v, ByteWriter out) {
        if (step == 0f) {
            out.writeFloat(v.x());
            out.writeFloat(v.y());
            out.writeFloat(v.z());
        } else {
            out.writeShortLE((int) Math.round((double) v.x() / step));
            out.writeShortLE((int) Math.round((double) v.y() / step));
            out.writeShortLE((int) Math.round((double) v.z() / step));
        }
    }

    @Override
    protected Vector3 read(ByteReader in) {
        String what = "vector3 component of '" + name() + "'";
        if (step == 0f) {
            return new Vector3(in.readFloat(what), in.readFloat(what), in.readFloat(what));
        }
        return new Vector3(in.readShortLE(what) * step, in.readShortLE(what) * step, in.readShortLE(what) * step);
    }

    @Override
    protected void writeJsonValue(Vector3 v, JsonGenerator json) throws IOException {
        json.writeStartObject();
        json.writeFieldName("x");
        JsonNumbers.writeFloat(v.x(), json);
        json.writeFieldName("y");
        JsonNumbers.writeFloat(v.y(), json);
        json.writeFieldName("z");
        JsonNumbers.writeFloat(v.z(), json);
        json.writeEndObject();
    }

    @Override
    protected Vector3 readJsonValue(JsonNode node) {
        if (!node.isObject() || !node.has("x") || !node.has("y") || !node.has("z")) {
            throw jsonError(name(), "an object {\"x\":…, \"y\":…, \"z\":…}", node);
        }
        return new Vector3(JsonNumbers.readFloat(node.get("x"), name() + ".x"),
                JsonNumbers.readFloat(node.get("y"), name() + ".y"),
                JsonNumbers.readFloat(node.get("z"), name() + ".z"));
    }
}
