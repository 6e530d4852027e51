package io.profilesync.samples.tutorial;

import io.profilesync.client.ProfilesClient;
import io.profilesync.client.ProfilesClientConfig;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableString;

/**
 * The tutorial's client: loads the player's own profile, prints every coin the game server gives, and renames the
 * player. Run: {@code MyClient PORT TOKEN NAME}.
 */
public final class MyClient {
    private MyClient() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        String token = args[1]; // from: java -jar profiles-master.jar token mint alice
        String name = args[2];

        ProfilesClient client = ProfilesClient.connect(ProfilesClientConfig.builder()
                .host("127.0.0.1").port(port).token(token).build());
        client.fillInProfileValues().thenAccept((ObservableProfile profile) -> {
            // This runs on the client's profile executor, like the listeners.
            ObservableInt coins = profile.get("coins", ObservableInt.class);
            System.out.println("logged in as " + client.userId() + " with " + coins.get() + " coins");
            coins.addListener((before, after) -> System.out.println("coins: " + before + " -> " + after));
            profile.get("displayName", ObservableString.class).set(name); // sent to the master on the next tick
        }).get();
        Thread.currentThread().join(); // keep running; Ctrl-C to stop
    }
}
