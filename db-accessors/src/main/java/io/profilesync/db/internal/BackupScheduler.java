package io.profilesync.db.internal;

import io.profilesync.db.DatabaseException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Backs a {@link ProfileStore} up into one folder, on demand and periodically, keeping the newest N files. Files
 * are named {@code profiles-<UTC yyyyMMdd-HHmmss-SSS><extension>}, so their names sort by age. Thread-safe: backups
 * run one at a time.
 */
public final class BackupScheduler implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BackupScheduler.class);
    private static final String PREFIX = "profiles-";
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss-SSS");

    private final ProfileStore store;
    private final Path directory;
    private final int keep;
    private final String extension;
    private final ScheduledExecutorService timer;

    /**
     * @param interval the period of automatic backups; zero: none
     */
    public BackupScheduler(ProfileStore store, Path directory, int keep, Duration interval) {
        this.store = store;
        this.directory = directory.toAbsolutePath();
        this.keep = keep;
        this.extension = store.dialect().backupExtension();
        if (interval.isZero()) {
            this.timer = null;
        } else {
            this.timer = Executors.newSingleThreadScheduledExecutor(new DaemonThreadFactory("profilesync-backup"));
            long millis = interval.toMillis();
            timer.scheduleWithFixedDelay(this::scheduledBackup, millis, millis, TimeUnit.MILLISECONDS);
        }
    }

    public Path directory() {
        return directory;
    }

    /** Writes a backup now, deletes all but the newest {@code keep}, and returns the new file. */
    public synchronized Path backupNow() {
        try {
            Files.createDirectories(directory);
            String stamp = LocalDateTime.now(ZoneOffset.UTC).format(STAMP);
            Path target = directory.resolve(PREFIX + stamp + extension);
            for (int n = 1; Files.exists(target); n++) {
                target = directory.resolve(PREFIX + stamp + "-" + n + extension);
            }
            store.backupTo(target);
            prune();
            return target;
        } catch (IOException e) {
            throw new DatabaseException("cannot write a backup into " + directory + ": " + e
                    + ". Check that the folder can be created and written, or set another backupDirectory.", e);
        }
    }

    /** The backup files in the folder, oldest first. */
    public List<Path> backups() throws IOException {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(PREFIX) && name.endsWith(extension);
            }).sorted().collect(Collectors.toList());
        }
    }

    private void prune() throws IOException {
        List<Path> all = backups();
        for (Path old : all.subList(0, Math.max(0, all.size() - keep))) {
            Files.deleteIfExists(old);
        }
    }

    private void scheduledBackup() {
        try {
            Path file = backupNow();
            LOG.info("profile database backed up to {}", file);
        } catch (RuntimeException e) {
            // Keep the schedule alive: the next attempt may succeed (disk freed, folder fixed).
            LOG.error("periodic backup of the profile database failed; trying again at the next interval", e);
        }
    }

    /** Stops the periodic backups, waiting for one that is running. */
    @Override
    public void close() {
        if (timer != null) {
            timer.shutdown(); // cancels the schedule; lets a running backup finish
            try {
                if (!timer.awaitTermination(5, TimeUnit.MINUTES)) {
                    LOG.warn("a backup still runs after 5 minutes; closing without it");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
