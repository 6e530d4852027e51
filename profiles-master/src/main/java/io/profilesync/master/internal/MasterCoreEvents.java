package io.profilesync.master.internal;

import io.profilesync.master.transport.websocket.PeerEvents;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;
import java.util.Objects;

/**
 * A {@link MasterCore} as a transport sees it: each {@link PeerEvents} input goes to the core's method of the same
 * name, unchanged. The WebSocket endpoint of {@link io.profilesync.master.MasterServer} and the simulated network
 * both deliver through it.
 *
 * <p>Threading: call it on the core's loop thread, as the core itself.
 */
public final class MasterCoreEvents implements PeerEvents {
    private final MasterCore core;

    public MasterCoreEvents(MasterCore core) {
        this.core = Objects.requireNonNull(core, "core");
    }

    @Override
    public void onConnected(PeerChannel channel) {
        core.onConnected(channel);
    }

    @Override
    public void onReceived(PeerChannel channel, Message message) {
        core.onReceived(channel, message);
    }

    @Override
    public void onDisconnected(PeerChannel channel) {
        core.onDisconnected(channel);
    }
}
