package io.profilesync.samples.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The sample plugin jar dropped in the plugins directory of the master jar, started as a process on 127.0.0.1 with
 * the demo schema: the master logs both plugins; a game server that adds experience sees the level follow in the
 * same change; its own change of the level is refused with the plugin's reason (its gold in the same tick applies);
 * and every gold change is in the audit log with its writer.
 */
class SamplePluginJarIT {
    private static final Path MASTER_JAR = Path.of(System.getProperty("profilesync.jar",
            "../profiles-master/target/profiles-master.jar")).toAbsolutePath();
    private static final Path PLUGIN_JAR = Path.of(System.getProperty("sample.plugin.jar",
            "target/profiles-samples-0.1.0-SNAPSHOT-plugin.jar")).toAbsolutePath();
    private static final Duration WAIT = Duration.ofSeconds(60);

    @TempDir
    Path dir;

    @Test
    void theLevellingAndAuditPluginsWorkInTheMasterJar() throws Exception {
        Files.createDirectories(dir.resolve("plugins"));
        Files.copy(PLUGIN_JAR, dir.resolve("plugins/sample-plugin.jar"));
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path config = Files.writeString(dir.resolve("master.yaml"), """
                server:
                  host: 127.0.0.1
                  port: %d
                database:
                  url: jdbc:h2:%s
                secrets:
                  file: %s
                plugins:
                  directory: %s
                """.formatted(port, dir.resolve("profiles"), dir.resolve("secrets.yaml"), dir.resolve("plugins")));
        Process process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", MASTER_JAR.toString(), "--config", config.toString()).directory(dir.toFile())
                .redirectErrorStream(true).start();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    synchronized (output) {
                        output.add(line);
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
        }, "master-output");
        reader.setDaemon(true);
        reader.start();
        try {
            awaitLine(output, "Ready\\.");
            awaitLine(output, "Loaded the plugin levelling rules \\(experience -> level\\)");
            awaitLine(output, "Loaded the plugin currency audit \\(gold, silver, bronze\\)");
            String secret = new YAMLMapper().readTree(dir.resolve("secrets.yaml").toFile()).get("gameServerSecrets")
                    .get(0).asText();
            try (ProfilesServer gameServer = ProfilesServer.connect(ProfilesServerConfig.builder().port(port)
                    .secret(secret).updateInterval(Duration.ofMillis(20)).closeTimeout(Duration.ofSeconds(1))
                    .build())) {
                ObservableServerProfile alice = gameServer.fillProfileValues("alice").get(30, TimeUnit.SECONDS);
                CompletableFuture<String> refusal = new CompletableFuture<>();
                gameServer.addRefusalListener((userId, property, reason) -> refusal.complete(property + ": " + reason));
                CompletableFuture<Integer> levelSeen = new CompletableFuture<>();
                gameServer.run(() -> {
                    alice.get("level", ObservableInt.class).addListener((before, after) -> {
                        if (after == 3) {
                            levelSeen.complete(after);
                        }
                    });
                    alice.get("experience", ObservableInt.class).set(2500);
                });
                assertThat(levelSeen.get(30, TimeUnit.SECONDS)).as("raised by the plugin's reaction").isEqualTo(3);

                gameServer.run(() -> {
                    alice.get("level", ObservableInt.class).set(50);
                    alice.get("gold", ObservableInt.class).set(250);
                });
                assertThat(refusal.get(30, TimeUnit.SECONDS)).startsWith("level: the level follows experience");
                Awaitility.await().atMost(WAIT).until(() -> CompletableFuture.supplyAsync(
                        () -> alice.get("gold", ObservableInt.class).get() == 250
                                && alice.get("level", ObservableInt.class).get() == 3, gameServer.executor()).get());
            }
            awaitLine(output, "AUDIT user=alice gold 0->250 by GAME_SERVER \\(game server .*");
        } finally {
            process.destroy();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static void awaitLine(List<String> output, String regex) {
        Pattern pattern = Pattern.compile(".*" + regex + ".*");
        Awaitility.await().atMost(WAIT).alias("a line matching " + regex + " in the master's output").until(() -> {
            synchronized (output) {
                return output.stream().anyMatch(line -> pattern.matcher(line).matches());
            }
        });
    }
}
