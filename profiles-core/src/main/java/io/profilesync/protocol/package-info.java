/**
 * The wire protocol shared by the master, game servers and clients: every message, registered with Kryo under an
 * explicit id by {@link io.profilesync.protocol.internal.Protocol#register(com.esotericsoftware.kryo.Kryo)}, each written by
 * its own serializer so the bytes are documented in {@code docs/protocol.md}; the replica logic
 * ({@link io.profilesync.protocol.internal.Replica}) by which game servers and clients keep their copy equal to the
 * master's; and what both tiers share: {@link io.profilesync.protocol.PeerConfig}, {@link
 * io.profilesync.protocol.ProfilesPeer}, connection states and reconnection backoff.
 */
package io.profilesync.protocol;
