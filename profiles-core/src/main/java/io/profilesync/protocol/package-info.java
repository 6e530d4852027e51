/**
 * The wire protocol shared by the master, game servers and clients: every message, registered with Kryo under an
 * explicit id by {@link io.profilesync.protocol.Protocol#register(com.esotericsoftware.kryo.Kryo)}, each written by
 * its own serializer so the bytes are documented in {@code docs/wire-format.md}; and the replica logic
 * ({@link io.profilesync.protocol.Replica}) by which game servers and clients keep their copy equal to the master's.
 */
package io.profilesync.protocol;
