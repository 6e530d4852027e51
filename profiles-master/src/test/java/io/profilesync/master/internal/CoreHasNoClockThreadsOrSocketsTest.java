package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A guardrail: the master core's sources reach time, threads and the network only through the EventLoop and
 * PeerChannel, so the simulation can drive them; a System.nanoTime() or an executor slipping in fails here.
 */
class CoreHasNoClockThreadsOrSocketsTest {
    private static final Path SOURCES = Path.of("src/main/java/io/profilesync/master/internal");
    private static final Pattern FORBIDDEN = Pattern.compile("System\\.(nanoTime|currentTimeMillis)|Instant\\.now"
            + "|new Thread|Thread\\.sleep|Executors?\\b|ExecutorService|esotericsoftware|java\\.net\\.|synchronized"
            + "|ThreadLocalRandom|new Random|Math\\.random");

    @Test
    void noCoreSourceTouchesTheClockThreadsOrKryoNet() throws IOException {
        List<String> offences = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> walk = Files.walk(SOURCES)) {
            files = walk.filter(path -> path.toString().endsWith(".java")).sorted().toList();
        }
        assertThat(files).as("the core's sources, from the module directory").hasSizeGreaterThan(10);
        for (Path file : files) {
            List<String> lines = Files.readAllLines(file);
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i).strip();
                if (line.startsWith("*") || line.startsWith("/**") || line.startsWith("//")) {
                    continue; // prose may name what the code must not use
                }
                if (FORBIDDEN.matcher(line).find()) {
                    offences.add(file.getFileName() + ":" + (i + 1) + ": " + line);
                }
            }
        }
        assertThat(offences).isEmpty();
    }
}
