/**
 * The game client's side of profilesync (MST's {@code MstProfilesClient}): {@link
 * io.profilesync.client.ProfilesClient}, made by {@link io.profilesync.client.ProfilesClient#connect} from a
 * {@link io.profilesync.client.ProfilesClientConfig}, loads the player's own profile (the client's view of the
 * schema), sends the player's changes every update interval, applies the master's pushes, reports refused changes
 * (which come back corrected), and reconnects by itself. The profile is touched only on the client's profile
 * executor (a game loop's, typically). The protocol is described in {@code docs/protocol.md}.
 */
package io.profilesync.client;
