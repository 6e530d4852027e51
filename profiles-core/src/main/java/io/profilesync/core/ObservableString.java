package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;

/**
 * A string property (never null); travels as a varint length and UTF-8. Every character survives bytes and JSON,
 * \r, \n and \t included. Threading: as {@link ObservableProperty}.
 */
public final class ObservableString extends ObservableScalar<String> {

    public ObservableString(String name, String initialValue) {
        super(name, initialValue);
    }

    public ObservableString(String name) {
        this(name, "");
    }

    /** Refuses strings with unpaired surrogates, which UTF-8 cannot carry. */
    @Override
    protected String normalize(String candidate) {
        return ElementType.wellFormed(candidate, name());
    }

    @Override
    public String typeDescriptor() {
        return "string";
    }

    @Override
    public ObservableString copy() {
        return new ObservableString(name(), get());
    }

    @Override
    protected void write(String v, ByteWriter out) {
        out.writeString(v);
    }

    @Override
    protected String read(ByteReader in) {
        return in.readString("string value of '" + name() + "'");
    }

    @Override
    protected void writeJsonValue(String v, JsonGenerator json) throws IOException {
        json.writeString(v);
    }

    @Override
    protected String readJsonValue(JsonNode node) {
        if (!node.isTextual()) {
            throw jsonError(name(), "a string", node);
        }
        return node.textValue();
    }
}
