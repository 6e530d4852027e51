package io.profilesync.master.hooks;

import java.util.Optional;

/**
 * Game rules a schema's min and max cannot express ("level only rises by one at a time"): asked about each change a
 * client or game server sends, after the schema's own checks passed. A refusal refuses only that property's change:
 * the writer's other changes in the same delta apply, and the writer is told the property and the reason as of any
 * refusal (its copy goes back to the master's value). The master's own changes (admin edits, reactions) are not
 * validated. Called on the profile thread; keep it short. A validator that throws refuses the change (it is logged
 * and counted), so a bug in it cannot let a forbidden change through.
 */
@FunctionalInterface
public interface ChangeValidator {
    /** @return empty to allow the change, or the reason to refuse it (the writer sees it) */
    Optional<String> check(ProposedChange change);
}
