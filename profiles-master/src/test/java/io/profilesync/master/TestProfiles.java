package io.profilesync.master;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableScalar;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.ProfilesPeer;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/** The schema the master tests use, and how a test peer makes replicas and deltas of it. */
public final class TestProfiles {
    /** A client-writable name and list, server-only numbers with limits, and a property hidden from clients. */
    public static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .stringProperty("displayName", "").maxLength(16).clientWritable()
            .intProperty("level", 1).min(1).max(100)
            .intProperty("gold", 0).min(0)
            .stringProperty("banReason", "").hiddenFromClients()
            .listProperty("items", ElementType.STRING).maxSize(8).clientWritable()
            .build();

    private TestProfiles() {
    }

    /** A replica of a profile as a game server would hold it, loaded from the master's bytes. */
    public static ObservableServerProfile replica(byte[] snapshot) {
        ObservableServerProfile profile = SCHEMA.newServerProfile("replica");
        profile.fromBytes(snapshot);
        return profile;
    }

    /** The delta of {@code change} made to {@code profile}, which is left with nothing recorded. */
    public static byte[] delta(ObservableProfile profile, Consumer<ObservableProfile> change) {
        profile.clearUpdates();
        change.accept(profile);
        byte[] delta = profile.getUpdates();
        profile.clearUpdates();
        return delta;
    }

    /** Completes once {@code peer} sees {@code property} at {@code expected} (at once if it is there already). */
    public static <T> CompletableFuture<T> valueSeen(ProfilesPeer peer, ObservableScalar<T> property, T expected) {
        CompletableFuture<T> seen = new CompletableFuture<>();
        peer.run(() -> {
            property.addListener((before, after) -> {
                if (expected.equals(after)) {
                    seen.complete(after);
                }
            });
            if (expected.equals(property.get())) {
                seen.complete(expected);
            }
        });
        return seen;
    }
}
