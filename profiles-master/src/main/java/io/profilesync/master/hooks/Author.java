package io.profilesync.master.hooks;

import java.util.Objects;

/**
 * Who made a change: a client (its user), a game server (which one), or the master itself (an admin edit, a restore,
 * a {@link Reaction}). Immutable.
 *
 * @param kind which of the three
 * @param userId a client's user id; null for the others
 * @param secretIndex which of the master's game-server secrets a game server proved (from 0); -1 for the others
 * @param peer the connection, as the master's logs name it ("game server connection 3 (10.0.0.5:50124)"), or what the
 *     master did for {@link Kind#MASTER} ("admin edit", "reaction levelling")
 */
public record Author(Kind kind, String userId, int secretIndex, String peer) {
    public enum Kind { CLIENT, GAME_SERVER, MASTER }

    public Author {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(peer, "peer");
    }

    /** The master itself, doing {@code what}. */
    public static Author master(String what) {
        return new Author(Kind.MASTER, null, -1, what);
    }
}
