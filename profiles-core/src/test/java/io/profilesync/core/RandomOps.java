package io.profilesync.core;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/** Random local changes to an {@link Fixtures#everyType()} profile, reproducible from a seed. */
final class RandomOps {
    private static final String[] WORDS = {"", "a", "b", "Zoë", "🐉", "\r\n\t", "\"q\"", "\\", "long text ".repeat(20)};

    private final Random random;

    RandomOps(Random random) {
        this.random = random;
    }

    /** Makes one random change (which may change nothing) to a random property. */
    void change(ObservableProfile p) {
        ObservableProperty<?> property = p.property(random.nextInt(p.size()));
        if (property instanceof ObservableInt v) {
            switch (random.nextInt(3)) {
                case 0 -> v.set(smallOrAny());
                case 1 -> v.add(random.nextInt(100), random.nextInt(1000));
                default -> v.subtract(random.nextInt(), Integer.MIN_VALUE);
            }
        } else if (property instanceof ObservableLong v) {
            v.set(random.nextBoolean() ? random.nextLong() : random.nextInt(200) - 100);
        } else if (property instanceof ObservableFloat v) {
            v.set(aFloat());
        } else if (property instanceof ObservableDouble v) {
            v.set(aDouble());
        } else if (property instanceof ObservableBool v) {
            v.set(random.nextBoolean());
        } else if (property instanceof ObservableString v) {
            v.set(aString());
        } else if (property instanceof ObservableDateTime v) {
            v.set(Instant.ofEpochMilli(random.nextLong()).plusNanos(random.nextInt(1_000_000)));
        } else if (property instanceof ObservableVector3 v) {
            float range = v.step() == 0f ? 1e6f : v.maxMagnitude();
            v.set(coordinate(range), coordinate(range), coordinate(range));
        } else if (property instanceof ObservableList<?> list) {
            changeList(list);
        } else if (property instanceof ObservableDictionary<?, ?> dict) {
            changeDictionary(dict);
        } else {
            throw new IllegalStateException("no random change for " + property.typeDescriptor());
        }
    }

    private int smallOrAny() {
        return random.nextBoolean() ? random.nextInt(128) - 64 : random.nextInt();
    }

    private float coordinate(float range) {
        return (random.nextFloat() * 2 - 1) * range;
    }

    private float aFloat() {
        return switch (random.nextInt(4)) {
            case 0 -> Float.intBitsToFloat(random.nextInt());
            case 1 -> Float.NaN;
            case 2 -> random.nextBoolean() ? -0f : 0f;
            default -> random.nextFloat() * 100;
        };
    }

    private double aDouble() {
        return switch (random.nextInt(4)) {
            case 0 -> Double.longBitsToDouble(random.nextLong());
            case 1 -> random.nextBoolean() ? Double.NaN : Double.NEGATIVE_INFINITY;
            case 2 -> Double.MIN_VALUE;
            default -> random.nextGaussian();
        };
    }

    private String aString() {
        return WORDS[random.nextInt(WORDS.length)] + (random.nextBoolean() ? random.nextInt(10) : "");
    }

    private Object element(ElementType<?> type) {
        if (type == ElementType.INT) {
            return smallOrAny();
        } else if (type == ElementType.LONG) {
            return random.nextLong();
        } else if (type == ElementType.FLOAT) {
            return aFloat();
        } else if (type == ElementType.DOUBLE) {
            return aDouble();
        } else if (type == ElementType.BOOL) {
            return random.nextBoolean();
        }
        return aString();
    }

    private Object key(ElementType<?> type) {
        return type == ElementType.INT ? random.nextInt(12) - 6 : String.valueOf((char) ('a' + random.nextInt(10)));
    }

    @SuppressWarnings("unchecked")
    private <E> void changeList(ObservableList<E> list) {
        Supplier<E> element = () -> (E) element(list.elementType());
        int size = list.size();
        int op = random.nextInt(size == 0 ? 3 : 12);
        switch (op) {
            case 0 -> list.add(element.get());
            case 1 -> list.insert(random.nextInt(size + 1), element.get());
            case 2 -> {
                List<E> all = new ArrayList<>();
                for (int i = random.nextInt(6); i > 0; i--) {
                    all.add(element.get());
                }
                if (random.nextInt(10) == 0) {
                    list.replaceAll(all);
                } else {
                    list.clear();
                }
            }
            case 3, 4, 5 -> list.set(random.nextInt(size), element.get());
            case 6, 7 -> list.remove(random.nextInt(size));
            case 8 -> list.insert(0, element.get());
            case 9 -> list.insert(size, element.get());
            default -> list.add(element.get());
        }
    }

    @SuppressWarnings("unchecked")
    private <K, V> void changeDictionary(ObservableDictionary<K, V> dict) {
        K key = (K) key(dict.keyType());
        switch (random.nextInt(10)) {
            case 0 -> dict.clear();
            case 1 -> {
                Map<K, V> all = new HashMap<>();
                for (int i = random.nextInt(5); i > 0; i--) {
                    all.put((K) key(dict.keyType()), (V) element(dict.valueType()));
                }
                dict.replaceAll(all);
            }
            case 2, 3, 4 -> dict.remove(key);
            default -> dict.put(key, (V) element(dict.valueType()));
        }
    }
}
