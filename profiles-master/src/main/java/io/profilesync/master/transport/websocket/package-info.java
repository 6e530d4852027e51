/**
 * The master's WebSocket endpoint: Netty adapts each WebSocket connection to a
 * {@link io.profilesync.protocol.internal.PeerChannel} carrying the same messages as KryoNet TCP, one message per
 * binary frame (docs/protocol.md, "WebSocket framing"), optionally over TLS, and serves the browser pages. Internal:
 * not part of the public API.
 */
package io.profilesync.master.transport.websocket;
