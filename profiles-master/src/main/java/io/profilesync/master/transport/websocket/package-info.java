/**
 * The master's WebSocket endpoint: Netty adapts each WebSocket connection to a
 * {@link io.profilesync.protocol.internal.PeerChannel} carrying the same messages as KryoNet TCP, one message per
 * binary frame (docs/protocol.md, "WebSocket framing"), optionally over TLS, and serves the browser pages. Every
 * connection is behind the master's {@link io.profilesync.master.transport.ConnectionGate}, the one KryoNet TCP is
 * behind too: 503 before the upgrade over its limits, the frame limit before the Welcome
 * ({@link io.profilesync.master.transport.websocket.FrameHeaderLimit}), budgets after it. Internal: not part of the
 * public API.
 */
package io.profilesync.master.transport.websocket;
