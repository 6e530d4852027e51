package io.profilesync.samples;

import io.profilesync.core.AppliedBatches;
import io.profilesync.core.IProfilesDatabaseAccessor;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ProfileFormatException;
import io.profilesync.core.DatabaseException;
import io.profilesync.core.StaleProfileException;
import io.profilesync.db.StoredProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLEncoder;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * A sample custom accessor: one file per profile in a folder. How to write your own accessor, in 200 lines; its test
 * ({@code FileProfilesAccessorTest}) runs the contract suite from the {@code db-accessors} test-jar.
 *
 * <p>File format: the file of user {@code u} is {@code URLEncoder.encode(u) + ".json"}; its first line is
 * {@code version N}, then optionally a line {@code schema FINGERPRINT} (the schema the profile was made with) and a
 * line {@code applied {...}} (its exactly-once record, {@link AppliedBatches#toJson()}), then the profile's JSON,
 * exactly as {@code toJson()} wrote it (UTF-8), which an operator can edit. The data and the record are in one file,
 * written at once, so they change together. A save writes a temporary file,
 * forces it to disk, and renames it over the old one atomically, so a file is always whole. A batch checks every
 * version before it writes anything; a crash in the middle of a batch can still leave part of it written (each file
 * whole), unlike the database accessors, whose batches are one transaction. Only one process may use a folder.
 * User ids differing only in case collide on case-insensitive file systems.
 *
 * <p>Threading: thread-safe. Every call runs on the accessor's one daemon thread, one at a time, which is what makes
 * the check of versions and the writes atomic with respect to each other.
 */
public final class FileProfilesAccessor implements IProfilesDatabaseAccessor {
    private static final String VERSION_LINE = "version ";
    private static final String SCHEMA_LINE = "schema ";
    private static final String APPLIED_LINE = "applied ";

    private final Path folder;
    private final ExecutorService executor = Executors.newSingleThreadExecutor(task -> {
        Thread t = new Thread(task, "profilesync-file-db");
        t.setDaemon(true);
        return t;
    });

    /** An accessor on {@code folder}, created if missing. */
    public FileProfilesAccessor(Path folder) {
        this.folder = Objects.requireNonNull(folder, "folder");
        try {
            Files.createDirectories(folder);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the profile folder " + folder
                    + ": check that its parent exists and is writable", e);
        }
    }

    /** The file that holds the profile of {@code userId} in this accessor's folder. */
    public Path fileOf(String userId) {
        return fileOf(folder, userId);
    }

    /** The file that holds the profile of {@code userId} in {@code folder}. */
    public static Path fileOf(Path folder, String userId) {
        return folder.resolve(URLEncoder.encode(userId, StandardCharsets.UTF_8) + ".json");
    }

    /** What a file holds: the version, the profile JSON and the header lines; saved at: when it was last written. */
    private record Stored(long version, String json, Instant savedAt, String schema, String applied) {
    }

    /** The stored version and JSON of {@code userId}, or null when there is no file. */
    private Stored read(String userId) {
        Path file = fileOf(userId);
        String text;
        Instant savedAt;
        try {
            if (!Files.exists(file)) {
                return null;
            }
            text = Files.readString(file, StandardCharsets.UTF_8);
            savedAt = Files.getLastModifiedTime(file).toInstant();
        } catch (IOException e) {
            throw new DatabaseException("cannot read " + file + " (profile of user '" + userId + "'): " + e, e);
        }
        int newline = text.indexOf('\n');
        try {
            if (!text.startsWith(VERSION_LINE) || newline < 0) {
                throw new NumberFormatException("no first line 'version N'");
            }
            long version = Long.parseLong(text.substring(VERSION_LINE.length(), newline).trim());
            String rest = text.substring(newline + 1);
            String schema = null;
            String applied = null;
            while (rest.startsWith(SCHEMA_LINE) || rest.startsWith(APPLIED_LINE)) {
                int end = rest.indexOf('\n');
                String line = end < 0 ? rest : rest.substring(0, end);
                if (line.startsWith(SCHEMA_LINE)) {
                    schema = line.substring(SCHEMA_LINE.length()).trim();
                } else {
                    applied = line.substring(APPLIED_LINE.length());
                }
                rest = end < 0 ? "" : rest.substring(end + 1);
            }
            return new Stored(version, rest, savedAt, schema, applied);
        } catch (NumberFormatException e) {
            throw new ProfileFormatException("file " + file + " of user '" + userId + "' is corrupt: its first line "
                    + "must be 'version N' (" + e.getMessage() + "); mend or delete the file", e);
        }
    }

    private void write(ObservableServerProfile p, long version) {
        Path file = fileOf(p.userId());
        Path temp = file.resolveSibling(file.getFileName() + ".tmp");
        StringBuilder text = new StringBuilder(VERSION_LINE).append(version).append('\n');
        if (p.schemaFingerprint() != null) {
            text.append(SCHEMA_LINE).append(p.schemaFingerprint()).append('\n');
        }
        if (!p.appliedBatches().isEmpty()) {
            text.append(APPLIED_LINE).append(p.appliedBatches().toJson()).append('\n'); // one line: no raw newlines
        }
        byte[] bytes = text.append(p.toJson()).toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                out.write(buffer);
            }
            out.force(true);
        } catch (IOException e) {
            throw new DatabaseException("cannot write " + temp + ": " + e + "; check free space and permissions", e);
        }
        try {
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new DatabaseException("cannot rename " + temp + " to " + file + ": " + e, e);
        }
    }

    @Override
    public CompletableFuture<Boolean> restoreProfileAsync(ObservableServerProfile profile) {
        Objects.requireNonNull(profile, "profile");
        return async(() -> {
            Stored stored = read(profile.userId());
            if (stored == null) {
                profile.setStoredVersion(0);
                return false;
            }
            // StoredProfile (from db-accessors) fills the profile and names the user if the JSON is corrupt.
            AppliedBatches applied;
            try {
                applied = AppliedBatches.fromJson(stored.applied());
            } catch (ProfileFormatException e) {
                throw new ProfileFormatException("file " + fileOf(profile.userId()) + " of user '" + profile.userId()
                        + "' is corrupt: " + e.getMessage() + "; mend or delete the file", e);
            }
            new StoredProfile(profile.userId(), stored.json(), stored.version(), stored.savedAt(), stored.schema(),
                    applied).applyTo(profile);
            return true;
        });
    }

    @Override
    public CompletableFuture<Void> updateProfilesAsync(Collection<? extends ObservableServerProfile> profiles) {
        Objects.requireNonNull(profiles, "profiles");
        List<ObservableServerProfile> batch = new ArrayList<>(profiles);
        return async(() -> {
            // Check every version first: a stale profile anywhere means nothing is written.
            for (ObservableServerProfile p : batch) {
                long actual = versionOf(p.userId());
                boolean current = actual < 0 ? p.storedVersion() == 0 : p.storedVersion() == actual;
                if (!current) {
                    throw new StaleProfileException(p.userId(), p.storedVersion(), actual);
                }
            }
            for (ObservableServerProfile p : batch) {
                write(p, p.storedVersion() + 1);
                p.setStoredVersion(p.storedVersion() + 1);
            }
            return null;
        });
    }

    /** The stored version of {@code userId}; -1 when there is no file. A corrupt profile keeps a readable version. */
    private long versionOf(String userId) {
        Stored stored = read(userId);
        return stored == null ? -1 : stored.version();
    }

    private <T> CompletableFuture<T> async(Supplier<T> task) {
        return CompletableFuture.supplyAsync(task, executor);
    }

    /** Lets submitted calls finish (at most a minute), then stops the thread. */
    @Override
    public void close() {
        executor.shutdown();
        try {
            executor.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
