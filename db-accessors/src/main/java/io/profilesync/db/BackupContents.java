package io.profilesync.db;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * What a backup file made by {@link JdbiProfilesAccessor#backupNow()} holds: every stored row and the schemas they
 * were written with. Read from a copy in a temporary folder (the backup itself is never changed), so it works while
 * a master uses the live database; {@link JdbiProfilesAccessor#replaceAllAsync} then puts the rows in place. The
 * kind of backup is told by its content, not its name: an H2 backup is a zip holding one {@code .mv.db} file, a
 * SQLite backup a SQLite database file; either restores into any database (H2, SQLite or PostgreSQL).
 *
 * <p>Threading: immutable, thread-safe.
 *
 * @param file the backup read
 * @param rows every stored row, in user id order
 * @param schemas the schema JSON recorded under each fingerprint the rows name (those the backup recorded)
 */
public record BackupContents(Path file, List<StoredProfile> rows, Map<String, String> schemas) {
    private static final byte[] ZIP = {'P', 'K', 3, 4};
    private static final byte[] SQLITE = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);

    public BackupContents {
        Objects.requireNonNull(file, "file");
        rows = List.copyOf(rows);
        schemas = Map.copyOf(schemas);
    }

    /**
     * Reads {@code file}.
     *
     * @throws IllegalArgumentException when the file is missing or is neither an H2 nor a SQLite backup (the message
     *     says so and where backups are)
     * @throws DatabaseException when the backup cannot be opened as a database
     */
    public static BackupContents read(Path file) {
        Objects.requireNonNull(file, "file");
        Path shown = file.toAbsolutePath().normalize();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            throw new IllegalArgumentException("cannot restore " + shown + ": " + (Files.exists(file)
                    ? "not a readable file" : "no such file") + "; give a backup file from backup.directory "
                    + "(written by `backup`)");
        }
        Path temp = null;
        try {
            byte[] head = new byte[SQLITE.length];
            try (InputStream in = Files.newInputStream(file)) {
                head = Arrays.copyOf(head, in.readNBytes(head, 0, head.length));
            }
            temp = Files.createTempDirectory("profilesync-restore-");
            String url;
            if (startsWith(head, ZIP)) {
                url = "jdbc:h2:" + unzipH2(file, temp, shown).toAbsolutePath();
            } else if (startsWith(head, SQLITE)) {
                Path copy = temp.resolve("backup.sqlite");
                Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
                url = "jdbc:sqlite:" + copy.toAbsolutePath();
            } else {
                throw new IllegalArgumentException("cannot restore " + shown + ": it is neither an H2 backup (a zip) "
                        + "nor a SQLite database; give a backup file from backup.directory (written by `backup`)");
            }
            return readDatabase(file, url);
        } catch (IOException e) {
            throw new DatabaseException("cannot read the backup " + shown + " (" + e.getMessage() + "); check the "
                    + "file and that the temporary folder has room", e);
        } finally {
            deleteQuietly(temp);
        }
    }

    private static BackupContents readDatabase(Path file, String url) {
        // A copy: migrating it to this version's tables, if it is older, changes nothing of the backup itself.
        try (JdbiProfilesAccessor backup = JdbiProfilesAccessor.create(DatabaseConfig.builder(url)
                .backupInterval(Duration.ZERO).build())) {
            List<StoredProfile> rows = new ArrayList<>();
            backup.forEachStored(rows::add);
            Map<String, String> schemas = new LinkedHashMap<>();
            for (StoredProfile row : rows) {
                String fingerprint = row.schemaFingerprint();
                if (fingerprint != null && !schemas.containsKey(fingerprint)) {
                    backup.storedSchema(fingerprint).ifPresent(json -> schemas.put(fingerprint, json));
                }
            }
            return new BackupContents(file, rows, schemas);
        }
    }

    /** The database of an H2 backup zip, extracted into {@code dir}: the path to open, without {@code .mv.db}. */
    private static Path unzipH2(Path zip, Path dir, Path shown) throws IOException {
        Path database = null;
        try (ZipInputStream in = new ZipInputStream(Files.newInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                String name = Path.of(entry.getName()).getFileName().toString(); // never outside dir
                if (!entry.isDirectory() && name.endsWith(".mv.db")) {
                    Path target = dir.resolve(name);
                    Files.copy(in, target, StandardCopyOption.REPLACE_EXISTING);
                    database = dir.resolve(name.substring(0, name.length() - ".mv.db".length()));
                }
            }
        }
        if (database == null) {
            throw new IllegalArgumentException("cannot restore " + shown + ": the zip holds no H2 database "
                    + "(.mv.db); give a backup file from backup.directory (written by `backup`)");
        }
        return database;
    }

    private static boolean startsWith(byte[] head, byte[] magic) {
        return head.length >= magic.length && Arrays.equals(head, 0, magic.length, magic, 0, magic.length);
    }

    private static void deleteQuietly(Path dir) {
        if (dir == null) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException e) {
            // A temporary copy left behind is harmless; the system cleans its temporary folder.
        }
    }
}
