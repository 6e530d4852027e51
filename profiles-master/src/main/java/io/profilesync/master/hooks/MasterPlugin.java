package io.profilesync.master.hooks;

/**
 * Game logic packaged for a master: registers its listeners, validators and reactions when the master starts. Pass
 * instances to {@code MasterConfig.Builder.plugin}, or, for the master jar, put a jar in its plugins directory (or
 * name it in {@code plugins.jars}) whose {@code META-INF/services/io.profilesync.master.hooks.MasterPlugin} names the
 * implementing class (it needs a public no-argument constructor); the master logs each plugin it loaded.
 *
 * <p>Threading: {@link #register} is called once, on the thread starting the master, before any peer connects.
 */
public interface MasterPlugin {
    /** How logs name this plugin; the class name by default. */
    default String name() {
        return getClass().getName();
    }

    void register(MasterHooks hooks);
}
