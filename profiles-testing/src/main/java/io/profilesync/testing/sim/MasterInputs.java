package io.profilesync.testing.sim;

import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.PeerChannel;

/** The three network inputs of the master core, as the simulated network delivers them (on the master's loop). */
public interface MasterInputs {
    void onConnected(PeerChannel channel);

    void onReceived(PeerChannel channel, Message message);

    void onDisconnected(PeerChannel channel);
}
