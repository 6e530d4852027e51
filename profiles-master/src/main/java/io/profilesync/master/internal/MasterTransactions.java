package io.profilesync.master.internal;

import io.profilesync.core.ApplyOptions;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.Precondition;
import io.profilesync.core.PropertyView;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.TransactionRefusedException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The master's own atomic changes ({@link io.profilesync.master.MasterServer#transact}): the preconditions are
 * checked on the master's state, the edit runs on a scratch copy of the profile, and only if it finishes and keeps
 * every schema constraint the profile takes what it changed, relayed and saved at once as one change. So an edit that
 * throws half-way, or would leave gold below {@code min: 0}, leaves no trace anywhere.
 *
 * <p>Threading: the profile thread only.
 */
final class MasterTransactions {
    private final ProfileSchema schema;
    private final ChangeRelay relay;
    private final SaveScheduler saves;

    MasterTransactions(ProfileSchema schema, ChangeRelay relay, SaveScheduler saves) {
        this.schema = schema;
        this.relay = relay;
        this.saves = saves;
    }

    /**
     * Applies {@code edit} to {@code entry}'s profile as one unit, or refuses it: {@code done} completes once it is
     * saved, fails with {@link TransactionRefusedException} when a precondition does not hold or a constraint would be
     * broken, and with what {@code edit} throws.
     */
    void apply(ProfileEntry entry, List<Precondition> preconditions, Consumer<ObservableServerProfile> edit,
            CompletableFuture<Void> done) {
        List<TransactionRefusedException.Refusal> refusals = new ArrayList<>();
        for (Precondition precondition : preconditions) {
            String failure = precondition.whyNot(entry.profile);
            if (failure != null) {
                refusals.add(new TransactionRefusedException.Refusal(precondition.property(), failure));
            }
        }
        if (!refusals.isEmpty()) {
            done.completeExceptionally(new TransactionRefusedException(entry.userId, refusals));
            return;
        }
        ObservableServerProfile scratch = entry.profile.copy();
        scratch.clearUpdates();
        try {
            edit.accept(scratch);
        } catch (RuntimeException e) {
            done.completeExceptionally(e); // the profile itself was never touched
            return;
        }
        if (!scratch.hasUpdates()) {
            done.complete(null);
            return;
        }
        // Only what the edit breaks counts: a profile restored with a value out of bounds can still be changed.
        List<String> broken = new ArrayList<>(schema.violations(scratch));
        broken.removeAll(schema.violations(entry.profile));
        if (!broken.isEmpty()) {
            for (String violation : broken) {
                refusals.add(new TransactionRefusedException.Refusal("", violation));
            }
            done.completeExceptionally(new TransactionRefusedException(entry.userId, refusals));
            return;
        }
        byte[] delta = scratch.getUpdates();
        relay.edit(entry, "atomic change on the master", profile -> profile.applyUpdates(delta,
                new ApplyOptions(PropertyView.ALL, true, null)));
        entry.savedWaiters.add(new ProfileEntry.SavedWaiter(entry.changeCount, done));
        saves.saveSoon(entry);
    }

    /** A save of {@code entry} committed: the atomic changes it holds are done. */
    static void onSaved(ProfileEntry entry) {
        if (entry.savedWaiters.isEmpty()) {
            return;
        }
        List<ProfileEntry.SavedWaiter> done = new ArrayList<>();
        entry.savedWaiters.removeIf(waiter -> waiter.changeCount() <= entry.savedChangeCount && done.add(waiter));
        for (ProfileEntry.SavedWaiter waiter : done) {
            waiter.done().complete(null);
        }
    }
}
