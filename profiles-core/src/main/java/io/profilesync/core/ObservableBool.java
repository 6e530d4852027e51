package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;

/** A boolean property; travels as one byte, 0 or 1. Threading: as {@link ObservableProperty}. */
public final class ObservableBool extends ObservableScalar<Boolean> {

    public ObservableBool(String name, boolean initialValue) {
        super(name, initialValue);
    }

    public ObservableBool(String name) {
        this(name, false);
    }

    public boolean booleanValue() {
        return get();
    }

    @Override
    public String typeDescriptor() {
        return "bool";
    }

    @Override
    public ObservableBool copy() {
        return new ObservableBool(name(), get());
    }

    @Override
    protected void write(Boolean v, ByteWriter out) {
        out.writeByte(v ? 1 : 0);
    }

    @Override
    protected Boolean read(ByteReader in) {
        return in.readBoolean("bool value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(Boolean v, JsonGenerator json) throws IOException {
        json.writeBoolean(v);
    }

    @Override
    protected Boolean readJsonValue(JsonNode node) {
        if (!node.isBoolean()) {
            throw jsonError(name(), "true or false", node);
        }
        return node.booleanValue();
    }
}
