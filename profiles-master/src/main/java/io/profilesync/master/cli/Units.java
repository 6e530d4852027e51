package io.profilesync.master.cli;

import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parses the durations ({@code 500ms}, {@code 20s}, {@code 1m}, {@code 2h}, {@code 1d}) and sizes ({@code 64KiB}) of
 * settings.
 */
final class Units {
    static final String DURATION_FORMS = "a number with a unit: 500ms, 20s, 1m, 2h or 1d (0 needs none)";
    static final String SIZE_FORMS = "bytes, or a number with a unit: 512B, 64KiB, 1MiB, 1GiB";
    private static final Pattern DURATION = Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,12})\\s*(b|kib|mib|gib)?");

    private Units() {
    }

    /** @throws IllegalArgumentException naming the allowed forms */
    static Duration duration(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("0")) {
            return Duration.ZERO;
        }
        Matcher m = DURATION.matcher(trimmed);
        if (!m.matches()) {
            throw new IllegalArgumentException("must be " + DURATION_FORMS + ", not \"" + text + "\"");
        }
        long amount = Long.parseLong(m.group(1));
        return switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(amount);
            case "s" -> Duration.ofSeconds(amount);
            case "m" -> Duration.ofMinutes(amount);
            case "h" -> Duration.ofHours(amount);
            default -> Duration.ofDays(amount);
        };
    }

    /** @throws IllegalArgumentException naming the allowed forms */
    static long size(String text) {
        String trimmed = text.trim().toLowerCase(Locale.ROOT);
        Matcher m = SIZE.matcher(trimmed);
        if (!m.matches()) {
            String hint = trimmed.matches("\\d+\\s*[kmg]b?") ? " (KiB, MiB and GiB are 1024-based: write 64KiB)" : "";
            throw new IllegalArgumentException("must be " + SIZE_FORMS + ", not \"" + text + "\"" + hint);
        }
        long amount = Long.parseLong(m.group(1));
        String unit = m.group(2) == null ? "b" : m.group(2);
        return switch (unit) {
            case "kib" -> amount * 1024;
            case "mib" -> amount * 1024 * 1024;
            case "gib" -> amount * 1024 * 1024 * 1024;
            default -> amount;
        };
    }

    /** A duration written back the way settings are written ({@code 1m}, {@code 500ms}). */
    static String format(Duration duration) {
        long millis = duration.toMillis();
        if (millis == 0) {
            return "0";
        }
        if (millis % 86_400_000 == 0) {
            return millis / 86_400_000 + "d";
        }
        if (millis % 3_600_000 == 0) {
            return millis / 3_600_000 + "h";
        }
        if (millis % 60_000 == 0) {
            return millis / 60_000 + "m";
        }
        if (millis % 1000 == 0) {
            return millis / 1000 + "s";
        }
        return millis + "ms";
    }

    /** A size written back the way settings are written ({@code 64KiB}). */
    static String formatSize(long bytes) {
        if (bytes > 0 && bytes % (1024 * 1024 * 1024) == 0) {
            return bytes / (1024 * 1024 * 1024) + "GiB";
        }
        if (bytes > 0 && bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + "MiB";
        }
        if (bytes > 0 && bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return bytes + "B";
    }
}
