/**
 * The master's side of the transport, between KryoNet and the master core: the connection gate (limits on peers that
 * have not authenticated, per-peer budgets of requests and decoded bytes, the guard that keeps one peer's failure off
 * KryoNet's shared network thread) and the master's health. Unlike the core, these run on KryoNet's thread and know
 * sockets and time. Not a public API: it may change in any release.
 */
package io.profilesync.master.transport;
