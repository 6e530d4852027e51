package io.profilesync.samples.plugin;

import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.master.hooks.MasterListener;
import io.profilesync.master.hooks.MasterPlugin;
import io.profilesync.master.hooks.ProfileChange;
import io.profilesync.master.hooks.PropertyChange;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An audit log of every currency change (gold, silver, bronze) with its writer, one line each on the logger
 * {@code profilesync.audit}: {@code AUDIT user=alice gold 0->250 by GAME_SERVER (game server connection 3 (...))}.
 * Route that logger to a file of its own in the master's Logback configuration to keep the trail apart.
 *
 * <p>Threading: registers once at start; its listener runs on the master's profile thread (a log line is cheap).
 */
public final class CurrencyAudit implements MasterPlugin {
    static final Set<String> CURRENCIES = Set.of("gold", "silver", "bronze");
    private static final Logger AUDIT = LoggerFactory.getLogger("profilesync.audit");

    @Override
    public String name() {
        return "currency audit (gold, silver, bronze)";
    }

    @Override
    public void register(MasterHooks hooks) {
        hooks.addListener(new MasterListener() {
            @Override
            public void profileChanged(ProfileChange change) {
                for (PropertyChange property : change.changes()) {
                    if (CURRENCIES.contains(property.property())) {
                        AUDIT.info("AUDIT user={} {} {}->{} by {} ({})", change.userId(), property.property(),
                                property.oldValue(), property.newValue(), change.author().kind(),
                                change.author().peer());
                    }
                }
            }

            @Override
            public void changeRefused(String userId, Author author, String property,
                    String reason) {
                if (CURRENCIES.contains(property)) {
                    AUDIT.info("AUDIT user={} {} refused for {} ({}): {}", userId, property, author.kind(),
                            author.peer(), reason);
                }
            }
        });
    }
}
