package io.profilesync.master.hooks;

import io.profilesync.core.ObservableServerProfile;
import java.util.Objects;

/**
 * One property's change a writer asks for, not yet applied, for a {@link ChangeValidator}. Valid only during the
 * validator's call. {@code profile} is the master's copy as it is before the delta: read it, never change it.
 *
 * <p>Threading: the record is immutable; the profile it names may be read on the master's profile thread only.
 *
 * @param userId whose profile it is
 * @param author who asks
 * @param property the property's name
 * @param oldValue what it holds now
 * @param newValue what it would hold (for a collection, the whole resulting list or map)
 * @param profile the master's copy before the change, to read other properties from
 */
public record ProposedChange(String userId, Author author, String property, Object oldValue, Object newValue,
        ObservableServerProfile profile) {
    public ProposedChange {
        Objects.requireNonNull(userId, "userId");
        Objects.requireNonNull(author, "author");
        Objects.requireNonNull(property, "property");
        Objects.requireNonNull(profile, "profile");
    }
}
