package io.profilesync.master.hooks;

import java.io.IOException;
import java.io.InputStream;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the {@link MasterPlugin}s packaged in jars: each jar gets a class loader of its own (plugins cannot see each
 * other's classes; all see profilesync's), and its {@code META-INF/services/io.profilesync.master.hooks.MasterPlugin}
 * names the plugin classes, each made with its public no-argument constructor. This is what the master jar does with
 * {@code plugins.directory} and {@code plugins.jars}; an application embedding the master can do the same.
 *
 * <p>Threading: stateless; call it from any thread.
 */
public final class PluginJars {
    private static final Logger LOG = LoggerFactory.getLogger(PluginJars.class);

    private static final String SERVICE_FILE = "META-INF/services/" + MasterPlugin.class.getName();

    private PluginJars() {
    }

    /** The class names a service file lists: one per line, {@code #} comments and blank lines ignored. */
    private static List<String> classNames(Path jar, URL services) {
        List<String> names = new ArrayList<>();
        try (InputStream in = services.openStream()) {
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\\R")) {
                int comment = line.indexOf('#');
                String name = (comment >= 0 ? line.substring(0, comment) : line).trim();
                if (!name.isEmpty()) {
                    names.add(name);
                }
            }
        } catch (IOException e) {
            throw new PluginLoadException("cannot read " + SERVICE_FILE + " in the plugin jar " + jar.toAbsolutePath()
                    + ": " + e.getMessage(), e);
        }
        return names;
    }

    private static MasterPlugin instantiate(Path jar, ClassLoader loader, String className) {
        String where = "the plugin class " + className + " named by " + SERVICE_FILE + " in " + jar.toAbsolutePath();
        Class<?> type;
        try {
            type = Class.forName(className, true, loader);
        } catch (ClassNotFoundException | LinkageError e) {
            throw new PluginLoadException(where + " cannot be loaded (" + e + "); check the name and that the jar "
                    + "holds the class", e);
        }
        if (!MasterPlugin.class.isAssignableFrom(type)) {
            throw new PluginLoadException(where + " does not implement " + MasterPlugin.class.getName());
        }
        try {
            return (MasterPlugin) type.getConstructor().newInstance();
        } catch (NoSuchMethodException e) {
            throw new PluginLoadException(where + " has no public no-argument constructor; add one", e);
        } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
            Throwable cause = e instanceof java.lang.reflect.InvocationTargetException ite ? ite.getCause() : e;
            throw new PluginLoadException(where + " failed in its constructor: " + cause, cause);
        }
    }

    /**
     * The jars to load: every {@code *.jar} in {@code directory}, by name (nothing when it does not exist), then
     * {@code jars} in their order.
     *
     * @throws PluginLoadException when {@code directory} exists but is not a readable directory
     */
    public static List<Path> find(Path directory, List<Path> jars) {
        List<Path> found = new ArrayList<>();
        if (directory != null && Files.exists(directory)) {
            if (!Files.isDirectory(directory)) {
                throw new PluginLoadException("the plugins directory " + directory.toAbsolutePath() + " is a file; "
                        + "point plugins.directory at a directory of plugin jars, or name the jar in plugins.jars");
            }
            try (Stream<Path> entries = Files.list(directory)) {
                entries.filter(path -> path.getFileName().toString().endsWith(".jar")).sorted().forEach(found::add);
            } catch (IOException e) {
                throw new PluginLoadException("cannot list the plugins directory " + directory.toAbsolutePath()
                        + ": " + e.getMessage(), e);
            }
        }
        found.addAll(Objects.requireNonNull(jars, "jars"));
        return found;
    }

    /**
     * The plugins of each jar, in order.
     *
     * @throws PluginLoadException when a jar is missing or unreadable, names no plugin, or a plugin class cannot be
     *     made (the jar, the class and the fix are named)
     */
    public static List<MasterPlugin> load(List<Path> jars) {
        List<MasterPlugin> plugins = new ArrayList<>();
        for (Path jar : jars) {
            plugins.addAll(loadJar(jar));
        }
        return plugins;
    }

    private static List<MasterPlugin> loadJar(Path jar) {
        if (!Files.isRegularFile(jar) || !Files.isReadable(jar)) {
            throw new PluginLoadException("the plugin jar " + jar.toAbsolutePath() + " does not exist or cannot be "
                    + "read; fix the path in plugins.jars, or remove it");
        }
        URL url;
        try {
            url = jar.toUri().toURL();
        } catch (MalformedURLException e) {
            throw new PluginLoadException("the plugin jar path " + jar + " is not usable: " + e.getMessage(), e);
        }
        // Never closed: the plugin's classes are used for as long as the master runs.
        URLClassLoader loader = new URLClassLoader("plugin " + jar.getFileName(), new URL[] {url},
                MasterPlugin.class.getClassLoader());
        List<MasterPlugin> plugins = new ArrayList<>();
        // This jar's own service file only (findResource does not ask the parent), so a jar on the master's class
        // path is not loaded twice and each plugin is named with the jar it came from.
        URL services = loader.findResource(SERVICE_FILE);
        if (services != null) {
            for (String className : classNames(jar, services)) {
                plugins.add(instantiate(jar, loader, className));
            }
        }
        if (plugins.isEmpty()) {
            throw new PluginLoadException("the plugin jar " + jar.toAbsolutePath() + " holds no plugin: it needs a "
                    + "file " + SERVICE_FILE + " naming its MasterPlugin classes, one per line");
        }
        for (MasterPlugin plugin : plugins) {
            LOG.info("Found the plugin {} in {}", plugin.getClass().getName(), jar);
        }
        return plugins;
    }
}
