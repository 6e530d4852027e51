/**
 * The master's parts that are not its public API: the connection gate in front of the protocol (limits on peers that
 * have not authenticated, the guard that keeps one peer's failure off the shared network thread) and the master's
 * health.
 */
package io.profilesync.master.internal;
