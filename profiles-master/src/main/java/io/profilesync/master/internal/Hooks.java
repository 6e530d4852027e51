package io.profilesync.master.internal;

import io.profilesync.core.ChangeKind;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.PropertyNotFoundException;
import io.profilesync.core.UpdateFilter;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;
import io.profilesync.master.hooks.Author;
import io.profilesync.master.hooks.ChangeValidator;
import io.profilesync.master.hooks.HookRegistrationException;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.master.hooks.MasterListener;
import io.profilesync.master.hooks.ProfileChange;
import io.profilesync.master.hooks.PropertyChange;
import io.profilesync.master.hooks.ProposedChange;
import io.profilesync.master.hooks.Reaction;
import io.profilesync.master.hooks.SaveReason;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.populators.PropertyDefinition;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Messages.Role;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The game logic registered with this master ({@link MasterHooks}) and its calls: events to the listeners, the
 * validators' verdicts as an {@link UpdateFilter}, reactions run on a working copy. Every call is timed on the loop's
 * clock and isolated: a hook that throws is logged and counted, and the master and the other hooks carry on. With
 * nothing registered it costs nothing (no filter, no old values captured).
 *
 * <p>Threading: registration from any thread; every other method on the profile thread only.
 */
final class Hooks implements MasterHooks {
    private static final Logger LOG = LoggerFactory.getLogger(Hooks.class);

    private final ProfileSchema schema;
    private final EventLoop loop;
    private final MasterMetrics metrics;
    private final long warnAfterNanos;
    private final List<MasterListener> listeners = new CopyOnWriteArrayList<>();
    private final List<PropertyValidator> validators = new CopyOnWriteArrayList<>();
    private final List<TriggeredReaction> reactions = new CopyOnWriteArrayList<>();

    private record PropertyValidator(String property, ChangeValidator validator) {
    }

    private record TriggeredReaction(Set<String> triggers, Reaction reaction) {
    }

    Hooks(ProfileSchema schema, EventLoop loop, MasterMetrics metrics, Duration warnAfter) {
        this.schema = schema;
        this.loop = loop;
        this.metrics = metrics;
        this.warnAfterNanos = warnAfter.toNanos();
    }

    // ================================================================ registration (any thread)

    @Override
    public void addListener(MasterListener listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    @Override
    public boolean removeListener(MasterListener listener) {
        return listeners.remove(listener);
    }

    @Override
    public void validate(String property, ChangeValidator validator) {
        Objects.requireNonNull(validator, "validator");
        checkProperty(Objects.requireNonNull(property, "property"), "validate");
        validators.add(new PropertyValidator(property, validator));
    }

    @Override
    public void validateEveryProperty(ChangeValidator validator) {
        validators.add(new PropertyValidator(null, Objects.requireNonNull(validator, "validator")));
    }

    @Override
    public void react(Set<String> triggers, Reaction reaction) {
        Objects.requireNonNull(reaction, "reaction");
        if (triggers == null || triggers.isEmpty()) {
            throw new HookRegistrationException("a reaction needs at least one trigger property; name the "
                    + "properties whose changes it reacts to, such as react(Set.of(\"xp\"), ...)");
        }
        for (String trigger : triggers) {
            checkProperty(trigger, "react");
        }
        reactions.add(new TriggeredReaction(Set.copyOf(triggers), reaction));
    }

    private void checkProperty(String property, String method) {
        try {
            schema.definition(property);
        } catch (PropertyNotFoundException e) {
            throw new HookRegistrationException(method + "(\"" + property + "\", ...): the " + e.getMessage());
        }
    }

    // ================================================================ changes (profile thread)

    /** Whether a change must be described (old and new values): someone listens, validates or reacts. */
    boolean watchesChanges() {
        return !listeners.isEmpty() || !validators.isEmpty() || !reactions.isEmpty();
    }

    /** One property's change refused by the schema ({@code kind} rejected) or a validator (refused_by_validator). */
    record Refused(String property, String kind, String reason) {
    }

    /**
     * What each change of a writer's delta goes through, property by property: the schema's checks ({@code schema}:
     * permissions and constraints), then the validators registered here; a change refused by either is left out and
     * added to {@code refused}, the others apply. With anything registered, every change let through is described
     * into {@code accepted} (old and new value) for the listeners and reactions.
     */
    UpdateFilter filter(ProfileEntry entry, Author author, UpdateValidator schema, List<PropertyChange> accepted,
            List<Refused> refused) {
        boolean watched = watchesChanges();
        if (schema == null && !watched) {
            return null;
        }
        return new UpdateFilter() {
            @Override
            public boolean accept(ObservableProperty<?> property, Object newValue) {
                return accept(property, newValue, ChangeKind.VALUE);
            }

            @Override
            public boolean accept(ObservableProperty<?> property, Object newValue, ChangeKind kind) {
                if (schema != null) {
                    try {
                        schema.validate(property, newValue, kind);
                    } catch (UpdateRejectedException e) {
                        refused.add(new Refused(e.propertyName(), "rejected", e.reason()));
                        return false;
                    }
                }
                if (!watched) {
                    return true;
                }
                Object oldValue = property.value();
                String reason = validators.isEmpty() ? null
                        : verdict(new ProposedChange(entry.userId, author, property.name(), oldValue, newValue,
                                entry.profile));
                if (reason != null) {
                    refused.add(new Refused(property.name(), "refused_by_validator", reason));
                    return false;
                }
                accepted.add(new PropertyChange(property.name(), oldValue, newValue));
                return true;
            }

            @Override
            public void cannotApply(ObservableProperty<?> property, String reason) {
                refused.add(new Refused(property.name(), "rejected", reason));
            }
        };
    }

    /** The first validator's reason to refuse {@code change}, or null when every one allows it. */
    private String verdict(ProposedChange change) {
        for (PropertyValidator registered : validators) {
            if (registered.property() != null && !registered.property().equals(change.property())) {
                continue;
            }
            long started = loop.nanoTime();
            Optional<String> reason;
            try {
                reason = registered.validator().check(change);
            } catch (RuntimeException e) {
                metrics.hookFailed("validator");
                LOG.error("A validator of '{}' threw on a change by {} to the profile of user '{}'; the change is "
                        + "refused: {}", change.property(), change.author().peer(), change.userId(), e.toString(), e);
                return "the master's validator of '" + change.property() + "' failed; try again later";
            } finally {
                timed("validator", registered.validator(), started);
            }
            if (reason != null && reason.isPresent()) {
                return reason.get();
            }
        }
        return null;
    }

    /** The properties of {@code profile} that are recorded as changed, described against {@code before}. */
    static List<PropertyChange> describeEdit(ObservableServerProfile before, ObservableServerProfile profile) {
        List<PropertyChange> changes = new ArrayList<>();
        for (int i = 0; i < profile.size(); i++) {
            ObservableProperty<?> property = profile.property(i);
            if (property.isDirty()) {
                Object oldValue = before.property(i).value();
                Object newValue = property.value();
                if (!Objects.equals(oldValue, newValue)) {
                    changes.add(new PropertyChange(property.name(), oldValue, newValue));
                }
            }
        }
        return changes;
    }

    /**
     * Runs the reactions {@code trigger} concerns on a working copy of the profile; what they changed is recorded
     * into the master's copy (so it is relayed and saved with the trigger). A reaction that throws leaves nothing.
     *
     * @return the derived change, or null when no reaction changed anything
     */
    ProfileChange react(ProfileEntry entry, ProfileChange trigger) {
        List<PropertyChange> derived = new ArrayList<>();
        for (TriggeredReaction registered : reactions) {
            if (!triggeredBy(registered, trigger)) {
                continue;
            }
            ObservableServerProfile working = entry.profile.copy();
            long started = loop.nanoTime();
            try {
                registered.reaction().react(trigger, working);
            } catch (RuntimeException e) {
                metrics.hookFailed("reaction");
                LOG.error("A reaction to a change of the profile of user '{}' threw; nothing it changed is kept, the "
                        + "change that triggered it stands: {}", entry.userId, e.toString(), e);
                continue;
            } finally {
                timed("reaction", registered.reaction(), started);
            }
            // Described against the master's copy before it takes them: it still holds what the reaction saw.
            derived.addAll(describeEdit(entry.profile, working));
            entry.profile.recordChangesOf(working);
        }
        if (derived.isEmpty()) {
            return null;
        }
        return new ProfileChange(entry.userId, Author.master("reaction"), merge(derived), true);
    }

    /** One entry per property, the first old value and the last new one, in the schema's order. */
    private List<PropertyChange> merge(List<PropertyChange> changes) {
        List<PropertyChange> merged = new ArrayList<>();
        for (PropertyDefinition definition : schema.definitions()) {
            PropertyChange first = null;
            PropertyChange last = null;
            for (PropertyChange change : changes) {
                if (change.property().equals(definition.name())) {
                    first = first == null ? change : first;
                    last = change;
                }
            }
            if (first != null && !Objects.equals(first.oldValue(), last.newValue())) {
                merged.add(new PropertyChange(definition.name(), first.oldValue(), last.newValue()));
            }
        }
        return merged;
    }

    private static boolean triggeredBy(TriggeredReaction registered, ProfileChange trigger) {
        for (PropertyChange change : trigger.changes()) {
            if (registered.triggers().contains(change.property())) {
                return true;
            }
        }
        return false;
    }

    // ================================================================ events (profile thread)

    void clientAuthenticated(Session session) {
        fire("clientAuthenticated", l -> l.clientAuthenticated(session.userId, session.channel.remoteAddress()));
    }

    void clientDisconnected(Session session) {
        fire("clientDisconnected", l -> l.clientDisconnected(session.userId, session.channel.remoteAddress()));
    }

    void gameServerConnected(Session session) {
        Author author = author(session);
        fire("gameServerConnected", l -> l.gameServerConnected(author));
    }

    void gameServerDisconnected(Session session) {
        Author author = author(session);
        fire("gameServerDisconnected", l -> l.gameServerDisconnected(author));
    }

    void loaded(ProfileEntry entry, boolean created) {
        fire("profileLoaded", l -> l.profileLoaded(entry.userId, created));
    }

    void acquired(ProfileEntry entry, Session gameServer) {
        Author author = author(gameServer);
        fire("profileAcquired", l -> l.profileAcquired(entry.userId, author));
    }

    void released(ProfileEntry entry, Session gameServer) {
        Author author = author(gameServer);
        fire("profileReleased", l -> l.profileReleased(entry.userId, author));
    }

    void changed(ProfileChange change) {
        fire("profileChanged", l -> l.profileChanged(change));
    }

    void refused(String userId, Session writer, String property, String reason) {
        if (listeners.isEmpty()) {
            return;
        }
        Author author = author(writer);
        fire("changeRefused", l -> l.changeRefused(userId, author, property, reason));
    }

    void saved(ProfileEntry entry, SaveReason reason) {
        fire("profileSaved", l -> l.profileSaved(entry.userId, reason));
    }

    void unloaded(ProfileEntry entry) {
        fire("profileUnloaded", l -> l.profileUnloaded(entry.userId));
    }

    /** Who {@code session} is, as hooks see it (made once per session). */
    static Author author(Session session) {
        if (session.author == null) {
            session.author = session.role == Role.CLIENT
                    ? new Author(Author.Kind.CLIENT, session.userId, -1, session.toString())
                    : new Author(Author.Kind.GAME_SERVER, null, session.secretIndex, session.toString());
        }
        return session.author;
    }

    private void fire(String event, Consumer<MasterListener> call) {
        for (MasterListener listener : listeners) {
            long started = loop.nanoTime();
            try {
                call.accept(listener);
            } catch (RuntimeException e) {
                metrics.hookFailed("listener");
                LOG.error("Listener {} threw in {}; the master and the other listeners carry on: {}",
                        listener.getClass().getName(), event, e.toString(), e);
            } finally {
                timed("listener", listener, started);
            }
        }
    }

    private void timed(String kind, Object hook, long started) {
        long took = loop.nanoTime() - started;
        if (took > warnAfterNanos) {
            metrics.hookSlow(kind);
            LOG.warn("The {} {} took {} ms on the profile thread (hookWarnAfter is {} ms): every player waited; hand "
                    + "slow work to an executor of its own", kind, hook.getClass().getName(), took / 1_000_000,
                    warnAfterNanos / 1_000_000);
        }
    }
}
