package io.profilesync.samples.plugin;

import io.profilesync.core.ObservableInt;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.master.hooks.MasterPlugin;
import java.util.Optional;
import java.util.Set;

/**
 * Levelling for the demo schema: the level follows experience (one level per {@value #EXPERIENCE_PER_LEVEL} points,
 * up to {@value #MAX_LEVEL}), raised by the master in the same change as the experience that earned it, so every
 * holder sees both together and they are saved together. Nobody else may set the level: a client's or game server's
 * change of it is refused with the reason, the rest of its changes apply.
 *
 * <p>Threading: registers once at start; its validator and reaction run on the master's profile thread.
 */
public final class LevellingRules implements MasterPlugin {
    static final int EXPERIENCE_PER_LEVEL = 1000;
    static final int MAX_LEVEL = 100;

    /** The level {@code experience} earns. */
    static int levelFor(int experience) {
        return Math.min(MAX_LEVEL, 1 + Math.max(0, experience) / EXPERIENCE_PER_LEVEL);
    }

    @Override
    public String name() {
        return "levelling rules (experience -> level)";
    }

    @Override
    public void register(MasterHooks hooks) {
        hooks.validate("level", change -> Optional.of("the level follows experience (a level per "
                + EXPERIENCE_PER_LEVEL + " points); change experience instead"));
        hooks.react(Set.of("experience"), (trigger, profile) -> {
            ObservableInt level = profile.get("level", ObservableInt.class);
            int earned = levelFor(profile.get("experience", ObservableInt.class).get());
            if (earned > level.get()) {
                level.set(earned); // levels are never taken away when experience is
            }
        });
    }
}
