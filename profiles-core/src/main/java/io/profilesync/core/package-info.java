/**
 * The observable profile model: properties that record their own changes, {@link io.profilesync.core.ObservableProfile}
 * which turns those changes into compact binary deltas (documented byte by byte in {@code docs/wire-format.md}),
 * the JSON form used by databases and tools, the database accessor interface, and the exception hierarchy rooted at
 * {@link io.profilesync.core.ProfilesException}.
 *
 * <p>Threading: nothing in this package is thread-safe. A profile and its properties are used by one thread at a
 * time; listeners run synchronously on the thread that made or applied the change.
 */
package io.profilesync.core;
