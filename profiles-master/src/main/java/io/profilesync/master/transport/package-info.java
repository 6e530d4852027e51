/**
 * The master's side of the transport, between its endpoints and the master core: the connection gate, one for every
 * transport (limits on peers that have not authenticated, per-peer budgets of requests and decoded bytes, the
 * refusal of a peer over them, the reporting of an Error on a network thread), its KryoNet adapter (the frame limit
 * before authentication and the guard that keeps one peer's failure off KryoNet's shared network thread), and the
 * master's health. Unlike the core, these run on the network threads and know sockets and time. Not a public API:
 * it may change in any release.
 */
package io.profilesync.master.transport;
