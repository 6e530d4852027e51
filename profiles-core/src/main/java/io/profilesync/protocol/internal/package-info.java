/**
 * Shared machinery of the tiers, not a public API (it may change in any release): the wire messages and their one
 * Kryo registration ({@code Protocol}, {@code Messages}); the interfaces protocol logic is driven through
 * ({@code EventLoop}, {@code Connector}, {@code PeerChannel}); the peer core shared by game servers and clients
 * ({@code PeerCore} with its rooms {@code PeerConnection}, {@code ReplicaSet}, {@code Replica}, {@code Batcher},
 * {@code OutboundQueue}); and its production adapters ({@code KryoNetConnector}, {@code ExecutorEventLoop},
 * {@code PeerRuntime}). {@code docs/architecture.md} describes how they fit.
 */
package io.profilesync.protocol.internal;
