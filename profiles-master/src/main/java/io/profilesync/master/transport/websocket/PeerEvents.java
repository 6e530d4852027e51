package io.profilesync.master.transport.websocket;

import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;

/**
 * What a transport of the master gives the master core: a peer connected, sent a message, went away. The transport
 * calls these on the core's {@link io.profilesync.protocol.internal.EventLoop}, never on a network thread; for one
 * channel, {@link #onConnected} comes first, then its messages in order, then exactly one {@link #onDisconnected}.
 */
public interface PeerEvents {
    void onConnected(PeerChannel channel);

    void onReceived(PeerChannel channel, Message message);

    void onDisconnected(PeerChannel channel);
}
