/**
 * The game server's protocol logic with no thread or socket: {@link io.profilesync.gameserver.internal.GameServerCore}
 * (the shared peer core plus acquire and release). Not a public API: it may change in any release.
 */
package io.profilesync.gameserver.internal;
