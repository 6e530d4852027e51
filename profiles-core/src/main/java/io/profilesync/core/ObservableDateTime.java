package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * A point in time (UTC), exact to the millisecond: values are truncated to milliseconds when set, so every copy
 * holds the same value. Travels as the zigzag varint of milliseconds since 1970-01-01T00:00:00Z; its JSON form is
 * ISO-8601 ({@code 2026-11-21T08:00:00.123Z}), independent of the machine's locale. Threading: as
 * {@link ObservableProperty}.
 */
public final class ObservableDateTime extends ObservableScalar<Instant> {
    /** The earliest and latest instants whose milliseconds fit a long: anything else is refused. */
    private static final Instant MIN = Instant.ofEpochMilli(Long.MIN_VALUE);
    private static final Instant MAX = Instant.ofEpochMilli(Long.MAX_VALUE);

    public ObservableDateTime(String name, Instant initialValue) {
        super(name, initialValue);
    }

    public ObservableDateTime(String name) {
        this(name, Instant.EPOCH);
    }

    @Override
    protected Instant normalize(Instant candidate) {
        if (candidate.isBefore(MIN) || candidate.isAfter(MAX)) {
            throw new IllegalArgumentException("instant " + candidate + " is outside the range of epoch milliseconds");
        }
        return candidate.truncatedTo(ChronoUnit.MILLIS);
    }

    @Override
    public String typeDescriptor() {
        return "datetime";
    }

    @Override
    public ObservableDateTime copy() {
        return new ObservableDateTime(name(), get());
    }

    @Override
    protected void write(Instant v, ByteWriter out) {
        out.writeSignedVarLong(v.toEpochMilli());
    }

    @Override
    protected Instant read(ByteReader in) {
        return Instant.ofEpochMilli(in.readSignedVarLong("datetime value of '" + name() + "'"));
    }

    @Override
    protected void writeJsonValue(Instant v, JsonGenerator json) throws IOException {
        json.writeString(v.toString());
    }

    @Override
    protected Instant readJsonValue(JsonNode node) {
        if (!node.isTextual()) {
            throw jsonError(name(), "an ISO-8601 instant such as \"2026-01-31T12:00:00Z\"", node);
        }
        try {
            return Instant.parse(node.textValue());
        } catch (DateTimeParseException e) {
            throw jsonError(name(), "an ISO-8601 instant such as \"2026-01-31T12:00:00Z\"", node);
        }
    }
}
