/**
 * The master core: the master's protocol logic as a single-threaded state machine with no sockets, threads or wall
 * clock. {@link io.profilesync.master.internal.MasterCore} takes its three kinds of input (a message from a peer, a
 * completed database call, a timer) through an {@link io.profilesync.protocol.internal.EventLoop} and talks to each
 * peer through a {@link io.profilesync.protocol.internal.PeerChannel}; {@link io.profilesync.master.MasterServer}
 * adapts KryoNet to it, the deterministic simulation drives it under virtual time. Every class here is confined to
 * that loop's thread. Not a public API: it may change in any release.
 */
package io.profilesync.master.internal;
