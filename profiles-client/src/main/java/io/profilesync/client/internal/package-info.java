/**
 * The client's protocol logic with no thread or socket: {@link io.profilesync.client.internal.ClientCore} (the
 * shared peer core plus the fill). Not a public API: it may change in any release.
 */
package io.profilesync.client.internal;
