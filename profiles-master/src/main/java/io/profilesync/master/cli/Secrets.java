package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.profilesync.master.HmacTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The secrets a master uses: those configured (file or environment), else those kept in {@code secrets.file}
 * ({@code ./data/secrets.yaml} by default), generated there on first use with mode 0600 so a master started with no
 * configuration accepts clients and game servers, and {@code token mint} signs tokens it accepts.
 *
 * @param tokenSecret the secret client tokens are signed with, or null (no clients)
 * @param gameServerSecrets the secrets game servers present; empty: no game servers
 * @param description where each came from, for the log
 */
record Secrets(String tokenSecret, List<String> gameServerSecrets, String description) {
    private static final YAMLMapper YAML = new YAMLMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    /**
     * The configured secrets, completed from {@link Settings#secretsFile()}; whatever is missing there is generated
     * and written to it.
     *
     * @throws ConfigException when the secrets file is unreadable or holds a bad value
     */
    static Secrets resolve(Settings settings) {
        String token = settings.tokenSecret().orElse(null);
        List<String> gameServers = settings.gameServerSecrets();
        String tokenFrom = token == null ? null : settings.source("secrets.tokenSecret");
        String gameServersFrom = gameServers.isEmpty() ? null : settings.source("secrets.gameServerSecrets");
        Optional<Path> file = settings.secretsFile();
        if ((token == null || gameServers.isEmpty()) && file.isPresent()) {
            Path path = file.get();
            JsonNode stored = read(path);
            boolean generated = false;
            String where = path.toAbsolutePath().normalize().toString();
            String storedToken = stored.path("tokenSecret").asText("");
            List<String> storedGameServers = new ArrayList<>();
            stored.path("gameServerSecrets").forEach(node -> storedGameServers.add(node.asText()));
            if (token == null) {
                tokenFrom = where;
                if (storedToken.length() < HmacTokens.MIN_SECRET_LENGTH) {
                    storedToken = random(36);
                    generated = true;
                    tokenFrom = "generated into " + where;
                }
                token = storedToken;
            }
            if (gameServers.isEmpty()) {
                storedGameServers.removeIf(secret -> secret.length() < Settings.MIN_GAME_SERVER_SECRET_LENGTH);
                gameServersFrom = where;
                if (storedGameServers.isEmpty()) {
                    storedGameServers.add(random(24));
                    generated = true;
                    gameServersFrom = "generated into " + where;
                }
                gameServers = List.copyOf(storedGameServers);
            }
            if (generated) {
                write(path, storedToken.isEmpty() ? null : storedToken, storedGameServers);
            }
        }
        String exposed = file.filter(Secrets::readableByOthers)
                .map(f -> "; WARNING: " + f.toAbsolutePath().normalize() + " is readable by other users: chmod 600 it")
                .orElse("");
        String description = "token secret: " + (tokenFrom == null ? "none, so no client can log in" : tokenFrom)
                + "; game-server secrets (" + gameServers.size() + "): "
                + (gameServersFrom == null ? "none, so no game server can connect" : gameServersFrom) + exposed;
        return new Secrets(token, gameServers, description);
    }

    private static boolean readableByOthers(Path path) {
        try {
            Set<PosixFilePermission> permissions = Files.getPosixFilePermissions(path);
            return permissions.contains(PosixFilePermission.GROUP_READ)
                    || permissions.contains(PosixFilePermission.OTHERS_READ);
        } catch (IOException | UnsupportedOperationException e) {
            return false; // absent, or not a POSIX file system
        }
    }

    private static JsonNode read(Path path) {
        if (!Files.exists(path)) {
            return YAML.createObjectNode();
        }
        try {
            JsonNode node = YAML.readTree(path.toFile());
            return node == null || !node.isObject() ? YAML.createObjectNode() : node;
        } catch (IOException e) {
            throw new ConfigException("secrets.file", "cannot read " + path.toAbsolutePath() + " (" + e.getMessage()
                    + "); mend it, delete it to generate new secrets, or point secrets.file elsewhere");
        }
    }

    private static void write(Path path, String tokenSecret, List<String> gameServerSecrets) {
        StringBuilder text = new StringBuilder("# Secrets of the profilesync master, generated " + Instant.now()
                + ".\n# Keep this file private (mode 0600). Game servers connect with one of gameServerSecrets;\n"
                + "# client tokens are signed with tokenSecret "
                + "(mint one: java -jar profiles-master.jar token mint USER).\n");
        if (tokenSecret != null) {
            text.append("tokenSecret: \"").append(tokenSecret).append("\"\n");
        }
        text.append("gameServerSecrets:\n");
        for (String secret : gameServerSecrets) {
            text.append("  - \"").append(secret).append("\"\n");
        }
        try {
            Path parent = path.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path temp = parent.resolve(path.getFileName() + ".tmp");
            Files.deleteIfExists(temp);
            createPrivate(temp);
            Files.writeString(temp, text, StandardCharsets.UTF_8);
            Files.move(temp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new ConfigException("secrets.file", "cannot write generated secrets to " + path.toAbsolutePath()
                    + " (" + e + "); make its folder writable, or configure secrets.tokenSecret and "
                    + "secrets.gameServerSecrets");
        }
    }

    private static void createPrivate(Path file) throws IOException {
        Set<PosixFilePermission> ownerOnly = PosixFilePermissions.fromString("rw-------");
        try {
            Files.createFile(file, PosixFilePermissions.asFileAttribute(ownerOnly));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file); // not a POSIX file system: the folder's permissions protect it
        }
    }

    /** A random secret of {@code bytes} random bytes, base64url without padding. */
    static String random(int bytes) {
        byte[] data = new byte[bytes];
        RANDOM.nextBytes(data);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(data);
    }
}
