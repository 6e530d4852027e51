package io.profilesync.samples.shop;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.Precondition;
import io.profilesync.db.JdbiProfilesAccessor;
import io.profilesync.gameserver.ProfilesServer;
import io.profilesync.gameserver.ProfilesServerConfig;
import io.profilesync.master.MasterConfig;
import io.profilesync.master.MasterServer;
import io.profilesync.populators.ProfileSchema;
import io.profilesync.protocol.TransactionRefusedException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

/**
 * Buying an item, atomically: two game servers (a market and a tavern) sell to the same player at the same moment.
 * Each purchase is {@code gold -= price} and {@code items.add(item)} as one unit, with the preconditions "has at least
 * the price" and "does not own it yet", checked by the master on its own state. So the player never pays without
 * getting the item, never gets it without paying, never goes below 0 gold, and a unique item is sold once, however
 * the two servers' requests interleave.
 *
 * <pre>{@code mvn -q -pl samples -am test-compile exec:java -Dexec.mainClass=io.profilesync.samples.shop.Shop}</pre>
 *
 * <p>Threading: {@link #run} blocks its caller; outcomes print from the game servers' profile threads.
 */
public final class Shop {
    private static final String PLAYER = "player-1";

    /** One offer: a shop, an item and its price. */
    public record Offer(String shop, String item, int price) {
    }

    /** What happened: the offers sold, those refused (with the master's reason), and the player's end state. */
    public record Outcome(List<Offer> sold, List<String> refused, int goldLeft, List<String> items) {
    }

    private Shop() {
    }

    public static void main(String[] args) throws Exception {
        run(System.out);
    }

    /**
     * Runs the shop: a master on embedded H2 in a temporary folder gives the player 100 gold, then the market and the
     * tavern each offer a sword (40, only one can sell: the player may own one), then a shield and a helmet (30 each),
     * then a potion (20, which the player can no longer afford).
     */
    public static Outcome run(PrintStream out) throws Exception {
        Path folder = Files.createTempDirectory("profilesync-shop");
        String secret = "shop-sample-secret-" + System.nanoTime();
        try (JdbiProfilesAccessor database = JdbiProfilesAccessor.create("jdbc:h2:" + folder.resolve("profiles"));
                MasterServer master = MasterServer.start(MasterConfig.builder().host("127.0.0.1").port(0)
                        .gameServerSecret(secret).tokenSecret(secret + "-tokens").build(), ProfileSchema.demo(),
                        database);
                ProfilesServer market = connect(master, secret);
                ProfilesServer tavern = connect(master, secret)) {
            // The master's own atomic change: saved once it completes.
            master.transact(PLAYER, List.of(), profile -> profile.get("gold", ObservableInt.class).set(100))
                    .get(10, TimeUnit.SECONDS);
            out.println("master: " + PLAYER + " starts with 100 gold");
            market.fillProfileValues(PLAYER).get(10, TimeUnit.SECONDS);
            tavern.fillProfileValues(PLAYER).get(10, TimeUnit.SECONDS);

            List<Offer> sold = new ArrayList<>();
            List<String> refused = new ArrayList<>();
            List<List<Offer>> rounds = List.of(
                    List.of(new Offer("market", "sword", 40), new Offer("tavern", "sword", 40)),
                    List.of(new Offer("market", "shield", 30), new Offer("tavern", "helmet", 30)),
                    List.of(new Offer("tavern", "potion", 20)));
            for (List<Offer> round : rounds) {
                // Every offer of a round at once, from both servers: each server's copy believes it can sell.
                List<CompletableFuture<Void>> purchases = new ArrayList<>();
                for (Offer offer : round) {
                    purchases.add(buy(offer.shop().equals("market") ? market : tavern, offer));
                }
                for (int i = 0; i < round.size(); i++) {
                    Offer offer = round.get(i);
                    try {
                        purchases.get(i).get(10, TimeUnit.SECONDS);
                        sold.add(offer);
                        out.println(offer.shop() + ": sold a " + offer.item() + " for " + offer.price());
                    } catch (java.util.concurrent.ExecutionException e) {
                        if (!(e.getCause() instanceof TransactionRefusedException refusal)) {
                            throw e;
                        }
                        String reason = refusal.refusals().get(0).reason();
                        refused.add(offer.shop() + " " + offer.item() + ": " + reason);
                        out.println(offer.shop() + ": no sale of the " + offer.item() + " (" + reason + ")");
                    }
                }
            }
            int[] gold = new int[1];
            List<String> items = new ArrayList<>();
            master.readProfile(PLAYER, profile -> {
                gold[0] = profile.get("gold", ObservableInt.class).get();
                items.addAll(profile.getList("items", ElementType.STRING).value());
                return null;
            }).get(10, TimeUnit.SECONDS);
            out.println("master: " + PLAYER + " has " + gold[0] + " gold and " + items);
            return new Outcome(List.copyOf(sold), List.copyOf(refused), gold[0], List.copyOf(items));
        }
    }

    /** The purchase: pay and receive as one unit, only if the player can pay and does not own the item yet. */
    private static CompletableFuture<Void> buy(ProfilesServer shop, Offer offer) {
        return shop.transact(PLAYER,
                List.of(Precondition.atLeast("gold", offer.price()), Precondition.doesNotContain("items", offer.item())),
                profile -> {
                    profile.get("gold", ObservableInt.class).subtract(offer.price());
                    profile.getList("items", ElementType.STRING).add(offer.item());
                });
    }

    private static ProfilesServer connect(MasterServer master, String secret) {
        ProfilesServer server = ProfilesServer.connect(ProfilesServerConfig.builder().port(master.port())
                .secret(secret).updateInterval(Duration.ofMillis(50)).build());
        try {
            server.connected().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            server.close();
            throw new CompletionException("the game server could not connect", e);
        }
        return server;
    }
}
