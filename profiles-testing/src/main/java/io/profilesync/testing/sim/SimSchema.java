package io.profilesync.testing.sim;

import io.profilesync.core.ElementType;
import io.profilesync.core.ObservableBool;
import io.profilesync.core.ObservableDateTime;
import io.profilesync.core.ObservableDictionary;
import io.profilesync.core.ObservableDouble;
import io.profilesync.core.ObservableFloat;
import io.profilesync.core.ObservableInt;
import io.profilesync.core.ObservableList;
import io.profilesync.core.ObservableLong;
import io.profilesync.core.ObservableProfile;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.Precondition;
import io.profilesync.core.ObservableString;
import io.profilesync.core.ObservableVector3;
import io.profilesync.core.Vector3;
import io.profilesync.master.hooks.MasterHooks;
import io.profilesync.populators.ProfileSchema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

/**
 * The schema the simulation writes: one property of every type, some client-writable, one hidden from clients, and
 * {@value #TOKENS}, a list only ever appended to with tokens unique in the run, which is how the invariants see a
 * change applied twice or lost. Random writes stay mostly within the constraints and sometimes break them (a level
 * above its maximum, a list longer than allowed), so refusals happen too.
 *
 * <p>Threading: the writes touch the profile they are given: call them on the thread that owns it.
 */
public final class SimSchema {
    /**
     * A list every writer inserts its own unique tokens into and removes some of its own from by index, from its
     * copy's view: how the invariants see that each remove deletes the element its writer saw.
     */
    public static final String SHELF = "shelf";
    /** The append-only list of unique tokens (client-writable, so every writer can append). */
    public static final String TOKENS = "tokens";
    /**
     * How many tokens the list holds: never written by a peer, kept by the master's reaction to every change of the
     * token list ({@link #registerRules}), which must reach every holder and the database together with it.
     */
    public static final String TOKEN_COUNT = "tokenCount";
    /**
     * A counter every writer increments, in the same change as each token it appends, by the token's
     * {@link #weight}: so it always equals the weights of the tokens in the list, and an increment lost or applied
     * twice shows as a difference, whatever order concurrent writers' changes reach the master in.
     */
    public static final String TALLY = "tally";

    /** What the game servers' atomic purchases pay from: it starts at {@value #PURSE_START} and may not go below 0. */
    public static final String PURSE = "purse";
    /** What they buy: one token per purchase applied, each paid {@value #PRICE} from the purse. */
    public static final String PURCHASES = "purchases";
    public static final int PURSE_START = 50;
    public static final int PRICE = 7;
    private static final String[] WORDS = {"", "a", "Zoë", "🐉", "\r\n\t", "\"q\"", "\\", "long text long text"};

    static final ProfileSchema SCHEMA = ProfileSchema.builder()
            .intProperty("level", 1).min(1).max(100).clientWritable()
            .longProperty("coins", 0)
            .floatProperty("speed", 1f)
            .doubleProperty("rating", 0d)
            .boolProperty("premium", false)
            .stringProperty("nickname", "").maxLength(24).clientWritable()
            .datetimeProperty("lastSeen", Instant.EPOCH)
            .vector3Property("position", Vector3.ZERO)
            .listProperty(TOKENS, ElementType.STRING).maxSize(100_000).clientWritable()
            .listProperty("inventory", ElementType.STRING).maxSize(8).clientWritable()
            .listProperty("scores", ElementType.INT).maxSize(16)
            .dictProperty("items", ElementType.STRING, ElementType.INT).maxSize(6).clientWritable()
            .dictProperty("notes", ElementType.INT, ElementType.STRING).maxSize(16)
            .stringProperty("secret", "").hiddenFromClients()
            .intProperty(SimSchema.TOKEN_COUNT, 0)
            .longProperty(TALLY, 0).clientWritable()
            .intProperty(PURSE, PURSE_START).min(0)
            .listProperty(PURCHASES, ElementType.STRING).maxSize(1000)
            .listProperty(SHELF, ElementType.STRING).maxSize(100_000).clientWritable()
            .build();

    private SimSchema() {
    }

    public static ProfileSchema schema() {
        return SCHEMA;
    }

    /** The master's game logic for this schema: {@value #TOKEN_COUNT} follows the token list, atomically. */
    public static void registerRules(MasterHooks hooks) {
        hooks.react(Set.of(TOKENS), (trigger, profile) -> profile.get(TOKEN_COUNT, ObservableInt.class)
                .set(tokens(profile).size()));
    }

    /** How much a writer adds to {@value #TALLY} with {@code token}: 1 to 5, read off the token itself. */
    public static long weight(String token) {
        return 1 + Math.floorMod(token.hashCode(), 5);
    }

    /** A profile of this schema read from {@code json} (a stored row's or a copy's JSON), for the checks below. */
    public static ObservableProfile read(String json) {
        ObservableProfile profile = SCHEMA.newProfile();
        profile.fromJson(json);
        return profile;
    }

    /** Why {@code profile} has a {@value #TALLY} other than the weights of its tokens, or null when it has just that. */
    public static String tallyProblem(ObservableProfile profile) {
        long tally = profile.get(TALLY, ObservableLong.class).get();
        long weights = 0;
        for (String token : tokens(profile)) {
            weights += weight(token);
        }
        return tally == weights ? null : TALLY + " is " + tally + " but the weights of the " + tokens(profile).size()
                + " tokens add up to " + weights + " (" + (tally < weights ? "increments lost" : "increments counted "
                + "twice or not their tokens") + ")";
    }

    /** Why {@code profile} breaks the rule of {@link #registerRules}, or null when it keeps it. */
    public static String derivedProblem(ObservableProfile profile) {
        int count = profile.get(TOKEN_COUNT, ObservableInt.class).get();
        int size = tokens(profile).size();
        return count == size ? null : TOKEN_COUNT + " is " + count + " but the token list holds " + size;
    }

    /**
     * Appends {@code token} to the token list of {@code profile} and adds its {@link #weight} to {@value #TALLY}; as
     * MST did, by reading the copy's value and setting the sum, when {@code incrementAsValue} (a defect on purpose).
     */
    public static void appendToken(ObservableProfile profile, String token, boolean incrementAsValue) {
        profile.getList(TOKENS, ElementType.STRING).add(token);
        ObservableLong tally = profile.get(TALLY, ObservableLong.class);
        if (incrementAsValue) {
            tally.set(tally.get() + weight(token));
        } else {
            tally.add(weight(token));
        }
    }

    /**
     * One purchase, for {@link io.profilesync.gameserver.internal.GameServerCore#transact}: pay {@value #PRICE} from
     * the purse (the schema's min 0 refuses it below that) and record {@code token}; with
     * {@link #PURCHASE_PRECONDITIONS}, applied all or nothing by the master.
     */
    public static void buy(ObservableProfile profile, String token) {
        profile.get(PURSE, ObservableInt.class).subtract(PRICE);
        profile.getList(PURCHASES, ElementType.STRING).add(token);
    }

    /** A purchase needs the price in the purse, on the master's state. */
    public static final List<Precondition> PURCHASE_PRECONDITIONS = List.of(Precondition.atLeast(PURSE, PRICE));

    /** The purchases in {@code profile}, in order. */
    public static List<String> purchases(ObservableProfile profile) {
        return profile.getList(PURCHASES, ElementType.STRING).value();
    }

    /** Why {@code profile} holds a purchase not paid for (or paid for one it does not hold), or null. */
    public static String purchaseProblem(ObservableProfile profile) {
        int purse = profile.get(PURSE, ObservableInt.class).get();
        int bought = purchases(profile).size();
        return purse == PURSE_START - PRICE * bought ? null : PURSE + " is " + purse + " with " + bought
                + " purchases of " + PRICE + " from " + PURSE_START + " (should be " + (PURSE_START - PRICE * bought)
                + ")";
    }

    /** The shelf of {@code profile}, in order (empty when it has none). */
    public static List<String> shelf(ObservableProfile profile) {
        if (!profile.has(SHELF)) {
            return List.of();
        }
        return profile.getList(SHELF, ElementType.STRING).value();
    }

    /** The tokens in {@code profile}, in order (empty when it has no token list). */
    public static List<String> tokens(ObservableProfile profile) {
        if (!profile.has(TOKENS)) {
            return List.of();
        }
        return profile.getList(TOKENS, ElementType.STRING).value();
    }

    /** How many times each token appears in {@code profile}, sorted by token. */
    public static Map<String, Integer> tokenCounts(List<String> tokens) {
        Map<String, Integer> counts = new TreeMap<>();
        for (String token : tokens) {
            counts.merge(token, 1, Integer::sum);
        }
        return counts;
    }

    /**
     * One random change to a random property of {@code profile} other than the token list; {@code clientOnly} keeps
     * to what a client may write (most of the time: now and then it tries another, to be refused).
     */
    public static void randomWrite(ObservableProfile profile, Random random, boolean clientOnly) {
        List<ObservableProperty<?>> candidates = new ArrayList<>();
        for (ObservableProperty<?> property : profile) {
            if (property.name().equals(TOKENS) || property.name().equals(TOKEN_COUNT) || property.name().equals(TALLY)
                    || property.name().equals(PURSE) || property.name().equals(PURCHASES)
                    || property.name().equals(SHELF)) {
                continue; // appended to, incremented and bought with by the workload, and kept by the master
            }
            boolean writable = SCHEMA.definition(property.name()).clientWritable();
            if (!clientOnly || writable || random.nextInt(20) == 0) {
                candidates.add(property);
            }
        }
        if (candidates.isEmpty()) {
            return;
        }
        write(candidates.get(random.nextInt(candidates.size())), random);
    }

    @SuppressWarnings("unchecked")
    private static void write(ObservableProperty<?> property, Random random) {
        if (property instanceof ObservableInt v) {
            v.set(random.nextInt(25) == 0 ? 1000 : 1 + random.nextInt(100));
        } else if (property instanceof ObservableLong v) {
            v.set(random.nextBoolean() ? random.nextLong() : random.nextInt(200) - 100);
        } else if (property instanceof ObservableFloat v) {
            v.set(random.nextInt(8) == 0 ? Float.NaN : random.nextInt(1000) / 8f);
        } else if (property instanceof ObservableDouble v) {
            v.set(random.nextInt(8) == 0 ? -0d : random.nextGaussian());
        } else if (property instanceof ObservableBool v) {
            v.set(random.nextBoolean());
        } else if (property instanceof ObservableString v) {
            v.set(WORDS[random.nextInt(WORDS.length)] + random.nextInt(10));
        } else if (property instanceof ObservableDateTime v) {
            v.set(Instant.ofEpochMilli(random.nextInt(1 << 30)).plusNanos(random.nextInt(1_000_000)));
        } else if (property instanceof ObservableVector3 v) {
            v.set(random.nextInt(2000) / 4f, -random.nextInt(2000) / 4f, random.nextInt(100));
        } else if (property instanceof ObservableList<?> list) {
            if (list.elementType() == ElementType.INT) {
                changeList((ObservableList<Integer>) list, random, () -> random.nextInt(100));
            } else {
                changeList((ObservableList<String>) list, random, () -> WORDS[random.nextInt(WORDS.length)]);
            }
        } else if (property instanceof ObservableDictionary<?, ?> dict) {
            if (dict.keyType() == ElementType.STRING) {
                changeDictionary((ObservableDictionary<String, Integer>) dict, random,
                        () -> String.valueOf((char) ('a' + random.nextInt(8))), () -> random.nextInt(50));
            } else {
                changeDictionary((ObservableDictionary<Integer, String>) dict, random,
                        () -> random.nextInt(10), () -> WORDS[random.nextInt(WORDS.length)]);
            }
        }
    }

    private static <E> void changeList(ObservableList<E> list, Random random, java.util.function.Supplier<E> element) {
        int size = list.size();
        switch (size == 0 ? random.nextInt(2) : random.nextInt(7)) {
            case 0 -> list.add(element.get());
            case 1 -> list.insert(random.nextInt(size + 1), element.get());
            case 2 -> list.set(random.nextInt(size), element.get());
            case 3 -> list.remove(random.nextInt(size));
            case 4 -> {
                if (random.nextInt(4) == 0) {
                    list.clear();
                } else {
                    list.add(element.get());
                }
            }
            default -> list.add(element.get());
        }
    }

    private static <K, V> void changeDictionary(ObservableDictionary<K, V> dict, Random random,
                                                java.util.function.Supplier<K> key,
                                                java.util.function.Supplier<V> value) {
        switch (random.nextInt(8)) {
            case 0 -> dict.clear();
            case 1, 2 -> dict.remove(key.get());
            default -> dict.put(key.get(), value.get());
        }
    }
}
