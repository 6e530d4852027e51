/**
 * The game server's side of profilesync (MST's {@code MstProfilesServer}): {@link
 * io.profilesync.gameserver.ProfilesServer}, made by {@link io.profilesync.gameserver.ProfilesServer#connect} from
 * a {@link io.profilesync.gameserver.ProfilesServerConfig}, fetches the profiles of the players on this server from
 * the master, sends their changes in one batch per update interval, applies the master's pushes, survives
 * reconnections without losing or repeating a change, and releases each profile only after its last changes are
 * acknowledged. Profiles are touched only on the server's profile executor. The protocol is described in
 * {@code docs/protocol.md}.
 */
package io.profilesync.gameserver;
