package io.profilesync.master.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.HookRegistrationException;
import io.profilesync.master.hooks.MasterListener;
import io.profilesync.master.hooks.MasterPlugin;
import io.profilesync.master.hooks.PluginLoadException;
import io.profilesync.master.hooks.ProfileChange;
import io.profilesync.master.hooks.PropertyChange;
import io.profilesync.master.hooks.SaveReason;
import io.profilesync.protocol.internal.Messages.ClientUpdate;
import io.profilesync.protocol.internal.Messages.ProfileAcquired;
import io.profilesync.protocol.internal.Messages.ProfileRequest;
import io.profilesync.protocol.internal.Messages.Refusal;
import io.profilesync.protocol.internal.Messages.ReleaseProfile;
import io.profilesync.protocol.internal.Messages.ServerPush;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Game logic on the master core: events in order with their authors, validators, reactions, reads, plugins. */
class MasterCoreHooksTest extends CoreHarness {
    /** Every event as one line, in the order the master raised them. */
    static final class RecordingListener implements MasterListener {
        final List<String> events = new ArrayList<>();
        final List<ProfileChange> changes = new ArrayList<>();

        @Override
        public void clientAuthenticated(String userId, String address) {
            events.add("clientAuthenticated " + userId);
        }

        @Override
        public void clientDisconnected(String userId, String address) {
            events.add("clientDisconnected " + userId);
        }

        @Override
        public void gameServerConnected(Author gameServer) {
            events.add("gameServerConnected " + gameServer.kind() + " " + gameServer.secretIndex());
        }

        @Override
        public void gameServerDisconnected(Author gameServer) {
            events.add("gameServerDisconnected " + gameServer.kind());
        }

        @Override
        public void profileLoaded(String userId, boolean created) {
            events.add("profileLoaded " + userId + (created ? " created" : " restored"));
        }

        @Override
        public void profileAcquired(String userId, Author gameServer) {
            events.add("profileAcquired " + userId);
        }

        @Override
        public void profileReleased(String userId, Author gameServer) {
            events.add("profileReleased " + userId);
        }

        @Override
        public void profileChanged(ProfileChange change) {
            changes.add(change);
            StringBuilder line = new StringBuilder("profileChanged " + change.userId() + " by "
                    + change.author().kind() + (change.derived() ? " derived" : ""));
            for (PropertyChange property : change.changes()) {
                line.append(' ').append(property.property()).append(' ').append(property.oldValue()).append("->")
                        .append(property.newValue());
            }
            events.add(line.toString());
        }

        @Override
        public void changeRefused(String userId, Author author, String property, String reason) {
            events.add("changeRefused " + userId + " " + property + ": " + reason);
        }

        @Override
        public void profileSaved(String userId, SaveReason reason) {
            events.add("profileSaved " + userId + " " + reason);
        }

        @Override
        public void profileUnloaded(String userId) {
            events.add("profileUnloaded " + userId);
        }
    }

    private final RecordingListener listener = new RecordingListener();

    private MasterCore startWithListener(MasterConfig config) {
        MasterCore started = start(config);
        started.hooks().addListener(listener);
        return started;
    }

    @Test
    void aGameServersSessionRaisesEachEventOnceInOrderWithItsAuthor() {
        startWithListener(config().saveProfileDebounce(Duration.ofSeconds(1))
                .unloadProfileAfter(Duration.ofSeconds(5)).build());
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(7)));
        loop.advance(Duration.ofSeconds(2));
        receive(gameServer, new ReleaseProfile(acquired.handle()));
        loop.advance(Duration.ofSeconds(5));
        core.onDisconnected(gameServer);
        loop.runDue();

        assertThat(listener.events).containsExactly(
                "gameServerConnected GAME_SERVER 0",
                "profileLoaded alice created",
                "profileAcquired alice",
                "profileChanged alice by GAME_SERVER gold 0->7",
                "profileSaved alice DEBOUNCED",
                "profileReleased alice",
                "profileUnloaded alice",
                "gameServerDisconnected GAME_SERVER");
        assertThat(listener.changes.get(0).author().peer()).contains("game server");
    }

    @Test
    void aClientsChangeNamesTheUserAndADisconnectReleasesBeforeItIsReported() {
        accessor.rows.put("bob", new ScriptedAccessor.Row("{\"displayName\":\"Bob\"}", 1));
        startWithListener(config().build());
        RecordingChannel client = client("bob", 1);
        receive(client, new ProfileRequest());
        ObservableProfile copy = clientCopy(client);
        receive(client, new ClientUpdate(1, delta(copy, p -> p.get("displayName", ObservableString.class).set("Bobby"))));
        core.onDisconnected(client);
        loop.runDue();

        assertThat(listener.events).containsExactly(
                "clientAuthenticated bob",
                "profileLoaded bob restored",
                "profileChanged bob by CLIENT displayName Bob->Bobby",
                "clientDisconnected bob");
        assertThat(listener.changes.get(0).author().userId()).isEqualTo("bob");
    }

    @Test
    void aValidatorRefusesOnlyTheChangeItRefusesAndTheWriterLearnsWhy() {
        startWithListener(config().build());
        core.hooks().validate("level", change -> (int) change.newValue() == (int) change.oldValue() + 1
                ? Optional.empty() : Optional.of("level only rises by one at a time"));
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()), p -> {
            p.get("level", ObservableInt.class).set(3);
            p.get("gold", ObservableInt.class).set(5);
        }));

        assertThat(masterInt("alice", "level")).as("refused").isEqualTo(1);
        assertThat(masterInt("alice", "gold")).as("the rest of the same delta applies").isEqualTo(5);
        ServerPush push = gameServer.last(ServerPush.class);
        assertThat(push.ackSeq()).isEqualTo(1);
        assertThat(push.refusals()).extracting(Refusal::property, Refusal::reason)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("level", "level only rises by one at a time"));
        assertThat(push.entries()).as("the writer's copy gets the accepted part back").hasSize(1);
        ObservableServerProfile writerCopy = replica(acquired.profile());
        writerCopy.applyUpdates(push.entries().get(0).delta());
        assertThat(writerCopy.get("gold", ObservableInt.class).get()).isEqualTo(5);
        assertThat(writerCopy.get("level", ObservableInt.class).get()).isEqualTo(1);
        assertThat(listener.events).contains("changeRefused alice level: level only rises by one at a time",
                "profileChanged alice by GAME_SERVER gold 0->5");

        batch(gameServer, 2, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("level", ObservableInt.class).set(2)));
        assertThat(masterInt("alice", "level")).as("a rise by one passes").isEqualTo(2);
    }

    @Test
    void theSchemaRefusesOnlyTheForbiddenPropertyAndTheRestOfTheDeltaApplies() {
        start(config().build());
        RecordingChannel client = client("bob", 1);
        receive(client, new ProfileRequest());
        ObservableProfile copy = clientCopy(client);
        // A valid name and a level the client may not write, in one delta.
        receive(client, new ClientUpdate(1, delta(copy, p -> {
            p.get("displayName", ObservableString.class).set("Bobby");
            p.get("level", ObservableInt.class).set(5);
        })));
        ObservableServerProfile master = core.loadedProfile("bob").orElseThrow();
        assertThat(master.get("displayName", ObservableString.class).get()).isEqualTo("Bobby");
        assertThat(master.get("level", ObservableInt.class).get()).isEqualTo(1);
        loop.advance(ms(200)); // the client's push debounce
        assertThat(client.last(io.profilesync.protocol.internal.Messages.ClientPush.class).refusals())
                .extracting(Refusal::property).containsExactly("level");

        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()), p -> {
            p.get("level", ObservableInt.class).set(500); // above the schema's max of 100
            p.get("gold", ObservableInt.class).set(5);
        }));
        assertThat(masterInt("alice", "gold")).isEqualTo(5);
        assertThat(masterInt("alice", "level")).isEqualTo(1);
        assertThat(gameServer.last(ServerPush.class).refusals()).extracting(Refusal::property, Refusal::reason)
                .singleElement().satisfies(refusal -> assertThat(refusal.toList().get(1).toString()).contains("100"));
    }

    @Test
    void aValidatorThatThrowsRefusesTheChangeAndIsCounted() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        startWithListener(config().meterRegistry(registry).build());
        core.hooks().validateEveryProperty(change -> {
            throw new IllegalStateException("bug in the validator");
        });
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(5)));
        assertThat(masterInt("alice", "gold")).isZero();
        assertThat(gameServer.last(ServerPush.class).refusals()).extracting(Refusal::property).containsExactly("gold");
        assertThat(registry.get("profilesync.hook.failures").tag("kind", "validator").counter().count()).isEqualTo(1);
    }

    @Test
    void aReactionsChangeReachesEveryHolderInTheSamePushAndIsSavedWithItsTrigger() {
        startWithListener(config().build());
        core.hooks().react(Set.of("gold"), (trigger, profile) -> {
            ObservableInt level = profile.get("level", ObservableInt.class);
            int earned = profile.get("gold", ObservableInt.class).get() / 100 + 1;
            if (earned > level.get()) {
                level.set(earned);
            }
        });
        RecordingChannel writer = gameServer(1);
        RecordingChannel other = gameServer(2);
        ProfileAcquired mine = acquire(writer, 1, "alice");
        ProfileAcquired theirs = acquire(other, 1, "alice");
        batch(writer, 1, mine.handle(), delta(replica(mine.profile()),
                p -> p.get("gold", ObservableInt.class).set(250)));

        ServerPush push = other.last(ServerPush.class);
        assertThat(push.entries()).hasSize(1);
        ObservableServerProfile otherCopy = replica(theirs.profile());
        otherCopy.applyUpdates(push.entries().get(0).delta());
        assertThat(otherCopy.get("gold", ObservableInt.class).get()).isEqualTo(250);
        assertThat(otherCopy.get("level", ObservableInt.class).get()).as("in the same push").isEqualTo(3);
        assertThat(listener.events).containsSubsequence("profileChanged alice by GAME_SERVER gold 0->250",
                "profileChanged alice by MASTER derived level 1->3");

        loop.advance(Duration.ofSeconds(2));
        assertThat(accessor.rows.get("alice").json()).contains("\"gold\":250").contains("\"level\":3");
    }

    @Test
    void aReactionThatThrowsKeepsNothingAndItsTriggerStands() {
        startWithListener(config().build());
        core.hooks().react(Set.of("gold"), (trigger, profile) -> {
            profile.get("level", ObservableInt.class).set(50);
            throw new IllegalStateException("half done");
        });
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(10)));
        assertThat(masterInt("alice", "gold")).isEqualTo(10);
        assertThat(masterInt("alice", "level")).as("nothing of the failed reaction").isEqualTo(1);
        assertThat(listener.events).noneMatch(event -> event.contains("derived"));
    }

    @Test
    void aListenerThatThrowsDisturbsNeitherTheOthersNorTheProtocol() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(config().meterRegistry(registry).build());
        core.hooks().addListener(new MasterListener() {
            @Override
            public void profileChanged(ProfileChange change) {
                throw new IllegalStateException("listener bug");
            }
        });
        core.hooks().addListener(listener);
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(10)));
        assertThat(gameServer.last(ServerPush.class).ackSeq()).isEqualTo(1);
        assertThat(listener.events).contains("profileChanged alice by GAME_SERVER gold 0->10");
        assertThat(registry.get("profilesync.hook.failures").tag("kind", "listener").counter().count()).isEqualTo(1);
    }

    @Test
    void aSlowListenerIsCountedAndTheOthersAndTheProtocolCarryOn() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        start(config().meterRegistry(registry).hookWarnAfter(ms(50)).build());
        core.hooks().addListener(new MasterListener() {
            @Override
            public void profileChanged(ProfileChange change) {
                loop.stall(ms(200)); // as a listener blocking the profile thread would
            }
        });
        core.hooks().addListener(listener);
        RecordingChannel gameServer = gameServer(1);
        ProfileAcquired acquired = acquire(gameServer, 1, "alice");
        batch(gameServer, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(10)));
        assertThat(gameServer.last(ServerPush.class).ackSeq()).isEqualTo(1);
        assertThat(listener.events).contains("profileChanged alice by GAME_SERVER gold 0->10");
        assertThat(registry.get("profilesync.hook.slow").tag("kind", "listener").counter().count()).isEqualTo(1);
    }

    @Test
    void reconnectsRaiseEachEventOnceMoreAndNothingTwice() {
        startWithListener(config().build());
        RecordingChannel first = gameServer(7);
        ProfileAcquired acquired = acquire(first, 1, "alice");
        batch(first, 1, acquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(3)));
        core.onDisconnected(first);
        loop.runDue();
        RecordingChannel again = gameServer(7);
        ProfileAcquired reacquired = acquire(again, 1, "alice");
        // The batch sent again to the new connection is a duplicate: acknowledged, not applied, no event.
        batch(again, 1, reacquired.handle(), delta(replica(acquired.profile()),
                p -> p.get("gold", ObservableInt.class).set(3)));
        assertThat(listener.events).containsExactly(
                "gameServerConnected GAME_SERVER 0",
                "profileLoaded alice created",
                "profileAcquired alice",
                "profileChanged alice by GAME_SERVER gold 0->3",
                "profileReleased alice",
                "gameServerDisconnected GAME_SERVER",
                "gameServerConnected GAME_SERVER 0",
                "profileAcquired alice");
    }

    @Test
    void theMastersOwnEditsNameTheMasterAndTheLastSavesNameTheirReason() {
        startWithListener(config().saveProfileDebounce(Duration.ofMinutes(5))
                .unloadProfileAfter(Duration.ofSeconds(1)).build());
        edit("carol", profile -> profile.get("gold", ObservableInt.class).set(9));
        loop.advance(Duration.ofSeconds(2));
        edit("dave", profile -> profile.get("gold", ObservableInt.class).set(4));
        core.beginShutdown();
        core.saveDue(true);
        loop.runDue();
        assertThat(listener.events).containsSubsequence(
                "profileLoaded carol created",
                "profileChanged carol by MASTER gold 0->9",
                "profileSaved carol BEFORE_UNLOAD",
                "profileUnloaded carol",
                "profileChanged dave by MASTER gold 0->4",
                "profileSaved dave SHUTDOWN");
    }

    @Test
    void aPeekReadsWithoutLoadingAndSeesUnsavedChangesOfALoadedProfile() {
        accessor.rows.put("erin", new ScriptedAccessor.Row("{\"gold\":12}", 3));
        start(config().build());
        CompletableFuture<Optional<ObservableServerProfile>> stored = core.peek("erin");
        loop.runDue();
        assertThat(stored.join().orElseThrow().get("gold", ObservableInt.class).get()).isEqualTo(12);
        assertThat(core.loadedUserIds()).as("not loaded by reading").isEmpty();
        CompletableFuture<Optional<ObservableServerProfile>> nobody = core.peek("nobody");
        loop.runDue();
        assertThat(nobody.join()).isEmpty();
        assertThat(accessor.rows).doesNotContainKey("nobody");

        edit("erin", profile -> profile.get("gold", ObservableInt.class).set(13));
        CompletableFuture<Optional<ObservableServerProfile>> live = core.peek("erin");
        loop.runDue();
        assertThat(live.join().orElseThrow().get("gold", ObservableInt.class).get()).isEqualTo(13);
        assertThat(core.loadedProfiles()).singleElement().satisfies(profile -> {
            assertThat(profile.userId()).isEqualTo("erin");
            assertThat(profile.dirty()).isTrue();
            assertThat(profile.holders()).isEmpty();
        });
    }

    @Test
    void registeringForAPropertyTheSchemaLacksSaysWhichOnesItHas() {
        start(config().build());
        assertThatThrownBy(() -> core.hooks().validate("mana", change -> Optional.empty()))
                .isInstanceOf(HookRegistrationException.class).hasMessageContaining("'mana'")
                .hasMessageContaining("gold");
        assertThatThrownBy(() -> core.hooks().react(Set.of(), (trigger, profile) -> { }))
                .isInstanceOf(HookRegistrationException.class).hasMessageContaining("at least one trigger");
    }

    @Test
    void pluginsInTheConfigurationRegisterBeforeAnyPeerAndAFailingOneStopsTheStart() {
        MasterPlugin audit = hooks -> hooks.addListener(listener);
        start(config().plugin(audit).build());
        gameServer(1);
        assertThat(listener.events).containsExactly("gameServerConnected GAME_SERVER 0");

        MasterPlugin broken = hooks -> hooks.validate("mana", change -> Optional.empty());
        assertThatThrownBy(() -> start(config().plugin(broken).build())).isInstanceOf(PluginLoadException.class)
                .hasMessageContaining("failed while registering").hasMessageContaining("'mana'");
    }
}
