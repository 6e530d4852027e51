package io.profilesync.master;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarFile;

/**
 * What build of profilesync is running, for the {@code profilesync_build_info} meter. Kept out of the master core,
 * which reaches no files or URLs.
 *
 * <p>Thread-safe (stateless).
 */
public final class BuildInfo {
    private BuildInfo() {
    }

    /** The commit the jar was built from (its manifest's Build-Commit, from -Dgit.commit=...), or "unknown". */
    public static String commit() {
        try {
            Path location = Path.of(MasterServer.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            if (Files.isRegularFile(location)) {
                try (JarFile jar = new JarFile(location.toFile())) {
                    String commit = jar.getManifest() == null ? null
                            : jar.getManifest().getMainAttributes().getValue("Build-Commit");
                    if (commit != null && !commit.isBlank()) {
                        return commit;
                    }
                }
            }
        } catch (IOException | URISyntaxException | RuntimeException e) {
            // Not from a jar, or it cannot be read: the commit is unknown.
        }
        return "unknown";
    }
}
