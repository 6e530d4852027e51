package io.profilesync.samples.tutorial;

import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableServerProfile;
import io.profilesync.core.ObservableString;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;

/**
 * The tutorial's game server: holds one player's profile, prints the name the player chooses, and gives the player
 * 10 coins every 2 seconds. Run: {@code MyGameServer PORT SECRET USER}.
 */
public final class MyGameServer {
    private MyGameServer() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String secret = args[1]; // one of gameServerSecrets in data/secrets.yaml
        String user = args[2];

        ProfilesServer profiles = ProfilesServer.connect(ProfilesServerConfig.builder()
                .host("127.0.0.1").port(port).secret(secret).build());
        ObservableServerProfile profile = profiles.fillProfileValues(user).get();

        // Everything that touches a profile runs on the profile executor: profiles.run(...).
        profiles.run(() -> profile.get("displayName", ObservableString.class).addListener(
                (before, after) -> System.out.println(user + " is now called " + after)));
        while (true) {
            Thread.sleep(2000);
            profiles.run(() -> {
                ObservableInt coins = profile.get("coins", ObservableInt.class);
                coins.add(10, 1_000_000);
                System.out.println("gave " + user + " 10 coins, now " + coins.get());
            });
        }
    }
}
