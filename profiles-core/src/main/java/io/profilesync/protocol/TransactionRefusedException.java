package io.profilesync.protocol;

import io.profilesync.core.ProfilesException;
import java.util.List;
import java.util.Objects;

/**
 * An atomic change the master refused: none of its changes applied. Either a precondition did not hold on the
 * master's state, or one of its changes was refused (by the schema's permissions or constraints, the game's
 * validators, or an increment that no longer fits, such as a spend below {@code min: 0}), which refuses it whole.
 * {@link #refusals()} names each reason; the profile's copy shows the master's state again.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class TransactionRefusedException extends ProfilesException {
    private static final long serialVersionUID = 1L;

    /** One reason: the property it is about ("" when none, such as a precondition of several) and why. */
    public record Refusal(String property, String reason) {
        public Refusal {
            Objects.requireNonNull(property, "property");
            Objects.requireNonNull(reason, "reason");
        }
    }

    private final String userId;
    private final List<Refusal> refusals;

    public TransactionRefusedException(String userId, List<Refusal> refusals) {
        super(message(userId, refusals));
        this.userId = Objects.requireNonNull(userId, "userId");
        this.refusals = List.copyOf(refusals);
    }

    private static String message(String userId, List<Refusal> refusals) {
        StringBuilder text = new StringBuilder("the master refused the atomic change of user '").append(userId)
                .append("', so none of it applied: ");
        for (int i = 0; i < refusals.size(); i++) {
            Refusal one = refusals.get(i);
            text.append(i == 0 ? "" : "; ").append(one.property().isEmpty() ? "" : one.property() + ": ")
                    .append(one.reason());
        }
        return text.toString();
    }

    /** The user whose profile it was. */
    public String userId() {
        return userId;
    }

    /** Every reason the master gave, in its order. */
    public List<Refusal> refusals() {
        return refusals;
    }
}
