package io.profilesync.core;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * The exactly-once record of one profile: for every writer that changed it, the sequence number of the last batch
 * of that writer applied to it, and when that entry was last used. It is stored with the profile, in the same row
 * and the same transaction as its data (see {@link IProfilesDatabaseAccessor}), so that a master that loads the
 * profile later, after a crash too, can skip a batch it already applied instead of applying it twice.
 *
 * <p>A writer key is whatever the master core chooses to name a writer (for example the authenticated identity and
 * the writer's instance); the accessor stores keys and numbers as they are. Entries are bounded by the master core
 * (dropped after an age, or once the writer released the profile): the accessor just stores what the snapshot
 * carries. Until the crash-safety work wires it in, the master core keeps this record empty.
 *
 * <p>Stored as a JSON object ({@link #toJson()}): {@code {"writer-key":{"seq":42,"usedAt":"2026-12-02T08:00:00Z"}}},
 * keys in sorted order, so equal records give equal text.
 *
 * <p>Threading: immutable and thread-safe.
 */
public final class AppliedBatches {
    /** The record with no entries. */
    public static final AppliedBatches EMPTY = new AppliedBatches(new TreeMap<>());

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One writer's entry.
     *
     * @param seq the sequence number of the last batch of this writer applied to the profile (0 or more)
     * @param usedAt when the entry was last used (the batch applied, or the entry touched by the master)
     *
     * <p>Immutable and thread-safe.
     */
    public record Entry(long seq, Instant usedAt) {
        public Entry {
            Objects.requireNonNull(usedAt, "usedAt");
            if (seq < 0) {
                throw new IllegalArgumentException("batch sequence numbers are not negative: " + seq);
            }
        }
    }

    private final SortedMap<String, Entry> entries;

    private AppliedBatches(SortedMap<String, Entry> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    /** A record holding {@code entries} (copied). */
    public static AppliedBatches of(Map<String, Entry> entries) {
        TreeMap<String, Entry> copy = new TreeMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            copy.put(Objects.requireNonNull(e.getKey(), "writer key"), Objects.requireNonNull(e.getValue(), "entry"));
        }
        return copy.isEmpty() ? EMPTY : new AppliedBatches(copy);
    }

    /** This record with the entry of {@code writer} set to {@code seq}, used at {@code usedAt}. */
    public AppliedBatches with(String writer, long seq, Instant usedAt) {
        Entry current = entries.get(writer);
        if (current != null && current.seq() == seq && current.usedAt().equals(usedAt)) {
            return this;
        }
        TreeMap<String, Entry> copy = new TreeMap<>(entries);
        copy.put(Objects.requireNonNull(writer, "writer"), new Entry(seq, usedAt));
        return new AppliedBatches(copy);
    }

    /** This record without the entry of {@code writer}. */
    public AppliedBatches without(String writer) {
        if (!entries.containsKey(writer)) {
            return this;
        }
        TreeMap<String, Entry> copy = new TreeMap<>(entries);
        copy.remove(writer);
        return copy.isEmpty() ? EMPTY : new AppliedBatches(copy);
    }

    /** This record without the entries last used before {@code cutoff}. */
    public AppliedBatches usedSince(Instant cutoff) {
        TreeMap<String, Entry> copy = new TreeMap<>(entries);
        copy.values().removeIf(e -> e.usedAt().isBefore(cutoff));
        return copy.size() == entries.size() ? this : of(copy);
    }

    /** The entry of {@code writer}, or null when it has none. */
    public Entry get(String writer) {
        return entries.get(writer);
    }

    /** Every entry, by writer key in sorted order (unmodifiable). */
    public SortedMap<String, Entry> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** The JSON form stored with the profile (see the class comment); {@code {}} when empty. */
    public String toJson() {
        StringWriter text = new StringWriter();
        try (JsonGenerator json = JSON.getFactory().createGenerator(text)) {
            json.writeStartObject();
            for (Map.Entry<String, Entry> e : entries.entrySet()) {
                json.writeFieldName(e.getKey());
                json.writeStartObject();
                json.writeNumberField("seq", e.getValue().seq());
                json.writeStringField("usedAt", e.getValue().usedAt().toString());
                json.writeEndObject();
            }
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to a string cannot fail", e);
        }
        return text.toString();
    }

    /**
     * Reads {@link #toJson()}'s form; null or blank text (a row written before the record existed) is the empty
     * record.
     *
     * @throws ProfileFormatException when the text is not such a record
     */
    public static AppliedBatches fromJson(String json) {
        if (json == null || json.isBlank()) {
            return EMPTY;
        }
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new ProfileFormatException("applied-batches record is not valid JSON: " + e.getOriginalMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ProfileFormatException("applied-batches record must be a JSON object keyed by writer, not "
                    + (root == null ? "empty text" : root.getNodeType()));
        }
        TreeMap<String, Entry> entries = new TreeMap<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            JsonNode seq = field.getValue().get("seq");
            JsonNode usedAt = field.getValue().get("usedAt");
            if (seq == null || !seq.isIntegralNumber() || !seq.canConvertToLong() || seq.longValue() < 0
                    || usedAt == null || !usedAt.isTextual()) {
                throw new ProfileFormatException("applied-batches entry of writer '" + field.getKey()
                        + "' must be {\"seq\": a whole number of 0 or more, \"usedAt\": an ISO instant}, not "
                        + field.getValue());
            }
            try {
                entries.put(field.getKey(), new Entry(seq.longValue(), Instant.parse(usedAt.textValue())));
            } catch (DateTimeParseException e) {
                throw new ProfileFormatException("applied-batches entry of writer '" + field.getKey()
                        + "': usedAt is not an ISO instant: " + usedAt, e);
            }
        }
        return entries.isEmpty() ? EMPTY : new AppliedBatches(entries);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof AppliedBatches a && a.entries.equals(entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        return "AppliedBatches" + entries;
    }
}
