package io.profilesync.master.hooks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Plugin jars as the master jar loads them: by their own service file, each failure named with its fix. */
class PluginJarsTest {
    @TempDir
    Path dir;

    /** A plugin for these tests. */
    public static final class Counting implements MasterPlugin {
        @Override
        public void register(MasterHooks hooks) {
        }
    }

    /** Not a plugin: no public no-argument constructor. */
    public static final class NeedsArgument implements MasterPlugin {
        public NeedsArgument(String argument) {
        }

        @Override
        public void register(MasterHooks hooks) {
        }
    }

    private Path jar(String name, String services) throws Exception {
        Path jar = dir.resolve(name);
        try (OutputStream file = Files.newOutputStream(jar); JarOutputStream out = new JarOutputStream(file)) {
            if (services != null) {
                out.putNextEntry(new JarEntry("META-INF/services/" + MasterPlugin.class.getName()));
                out.write(services.getBytes(StandardCharsets.UTF_8));
                out.closeEntry();
            }
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("a test plugin jar".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    @Test
    void aJarsServiceFileNamesItsPluginsCommentsAndBlankLinesAside() throws Exception {
        Path jar = jar("counting.jar", "# the plugins\n\n" + Counting.class.getName() + "  # counts\n");
        List<MasterPlugin> plugins = PluginJars.load(List.of(jar));
        assertThat(plugins).singleElement().isInstanceOf(Counting.class);
        assertThat(PluginJars.find(dir, List.of())).containsExactly(jar);
        assertThat(PluginJars.find(dir.resolve("absent"), List.of(jar))).as("no directory: only the named jars")
                .containsExactly(jar);
    }

    @Test
    void eachBrokenJarIsRefusedWithWhatIsWrongAndTheFix() throws Exception {
        assertThatThrownBy(() -> PluginJars.load(List.of(dir.resolve("missing.jar"))))
                .isInstanceOf(PluginLoadException.class).hasMessageContaining("missing.jar")
                .hasMessageContaining("does not exist");
        Path empty = jar("empty.jar", null);
        assertThatThrownBy(() -> PluginJars.load(List.of(empty))).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("holds no plugin").hasMessageContaining("META-INF/services/"
                        + MasterPlugin.class.getName());
        Path unknown = jar("unknown.jar", "com.example.NoSuchPlugin\n");
        assertThatThrownBy(() -> PluginJars.load(List.of(unknown))).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("com.example.NoSuchPlugin").hasMessageContaining("cannot be loaded");
        Path notAPlugin = jar("string.jar", "java.lang.String\n");
        assertThatThrownBy(() -> PluginJars.load(List.of(notAPlugin))).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("does not implement");
        Path noConstructor = jar("ctor.jar", NeedsArgument.class.getName() + "\n");
        assertThatThrownBy(() -> PluginJars.load(List.of(noConstructor))).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("no public no-argument constructor");
        Path file = Files.writeString(dir.resolve("plugins-file"), "");
        assertThatThrownBy(() -> PluginJars.find(file, List.of())).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("is a file");
    }
}
