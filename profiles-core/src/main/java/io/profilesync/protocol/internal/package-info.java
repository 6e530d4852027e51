/** Shared machinery of the game-server and client tiers. Not a public API: it may change in any release. */
package io.profilesync.protocol.internal;
