package io.profilesync.core;

import io.profilesync.core.internal.ByteReader;
import io.profilesync.core.internal.ByteWriter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A check an atomic change needs to hold on the master's state before any of its changes apply, such as
 * {@code Precondition.atLeast("gold", 100)} or {@code Precondition.doesNotContain("items", "sword")}. It is evaluated
 * by the master, on its own current value, never on the writer's copy (which may be stale), so two game servers that
 * each spend the last 100 gold cannot both succeed.
 *
 * <ul>
 *   <li>{@link #atLeast} and {@link #atMost}: a number property (int, long, float, double) compared with a number;
 *   <li>{@link #equalTo} and {@link #notEqualTo}: a number, string or bool property compared with a value of its kind;
 *   <li>{@link #contains} and {@link #doesNotContain}: a list's elements, or a dictionary's keys.
 * </ul>
 *
 * <p>Whole numbers compare exactly (a long property against a long value), others as doubles. It travels as
 * described in {@code docs/wire-format.md} ("Preconditions").
 *
 * <p>Immutable and thread-safe.
 */
public final class Precondition {
    /** The most preconditions one atomic change carries: a bound the master checks before it reads them. */
    public static final int MAX_PER_CHANGE = 64;

    /** How the property is compared with the value; the code is its byte on the wire. */
    public enum Operator {
        AT_LEAST(0, ">="), AT_MOST(1, "<="), EQUAL_TO(2, "=="), NOT_EQUAL_TO(3, "!="), CONTAINS(4, "contains"),
        DOES_NOT_CONTAIN(5, "does not contain");

        private final int code;
        private final String symbol;

        Operator(int code, String symbol) {
            this.code = code;
            this.symbol = symbol;
        }

        static Operator of(int code, ByteReader in) {
            for (Operator operator : values()) {
                if (operator.code == code) {
                    return operator;
                }
            }
            throw in.error("precondition operator " + code + " is unknown; expected 0..5");
        }
    }

    private static final int LONG = 0;
    private static final int DOUBLE = 1;
    private static final int STRING = 2;
    private static final int BOOL = 3;

    private final String property;
    private final Operator operator;
    /** A Long, Double, String or Boolean. */
    private final Object value;

    private Precondition(String property, Operator operator, Object value) {
        Objects.requireNonNull(property, "property");
        if (property.isEmpty()) {
            throw new IllegalArgumentException("a precondition names a property; the name is empty");
        }
        this.property = property;
        this.operator = Objects.requireNonNull(operator, "operator");
        this.value = normalized(Objects.requireNonNull(value, "value"));
    }

    private static Object normalized(Object value) {
        if (value instanceof Integer || value instanceof Long || value instanceof Short || value instanceof Byte) {
            return ((Number) value).longValue();
        }
        if (value instanceof Float || value instanceof Double) {
            return ((Number) value).doubleValue();
        }
        if (value instanceof String || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("a precondition compares with a number, a string or a bool; "
                + value.getClass().getSimpleName() + " " + value + " is none of them");
    }

    /** The number property {@code property} is at least {@code minimum}. */
    public static Precondition atLeast(String property, long minimum) {
        return new Precondition(property, Operator.AT_LEAST, minimum);
    }

    /** The number property {@code property} is at least {@code minimum}. */
    public static Precondition atLeast(String property, double minimum) {
        return new Precondition(property, Operator.AT_LEAST, minimum);
    }

    /** The number property {@code property} is at most {@code maximum}. */
    public static Precondition atMost(String property, long maximum) {
        return new Precondition(property, Operator.AT_MOST, maximum);
    }

    /** The number property {@code property} is at most {@code maximum}. */
    public static Precondition atMost(String property, double maximum) {
        return new Precondition(property, Operator.AT_MOST, maximum);
    }

    /** The number, string or bool property {@code property} holds {@code value}. */
    public static Precondition equalTo(String property, Object value) {
        return new Precondition(property, Operator.EQUAL_TO, value);
    }

    /** The number, string or bool property {@code property} does not hold {@code value}. */
    public static Precondition notEqualTo(String property, Object value) {
        return new Precondition(property, Operator.NOT_EQUAL_TO, value);
    }

    /** The list {@code property} has an element equal to {@code element}, or the dictionary a key equal to it. */
    public static Precondition contains(String property, Object element) {
        return new Precondition(property, Operator.CONTAINS, element);
    }

    /** The list {@code property} has no element equal to {@code element}, nor the dictionary such a key. */
    public static Precondition doesNotContain(String property, Object element) {
        return new Precondition(property, Operator.DOES_NOT_CONTAIN, element);
    }

    public String property() {
        return property;
    }

    public Operator operator() {
        return operator;
    }

    /** The value compared with: a Long, Double, String or Boolean. */
    public Object value() {
        return value;
    }

    // ---------------------------------------------------------------- evaluation

    /**
     * Why this precondition cannot be evaluated on {@code profile} (no such property, or one of another kind), or
     * null when it can.
     */
    public String problem(ObservableProfile profile) {
        if (!profile.has(property)) {
            return "precondition " + this + " names property '" + property + "', which the profile does not have; "
                    + "it has " + profile.names();
        }
        ObservableProperty<?> target = profile.get(property);
        boolean fits = switch (operator) {
            case AT_LEAST, AT_MOST -> target instanceof ObservableNumber<?> && !(value instanceof String)
                    && !(value instanceof Boolean);
            case EQUAL_TO, NOT_EQUAL_TO -> target instanceof ObservableNumber<?> ? value instanceof Number
                    : target instanceof ObservableString ? value instanceof String
                    : target instanceof ObservableBool && value instanceof Boolean;
            case CONTAINS, DOES_NOT_CONTAIN -> target instanceof ObservableList<?>
                    || target instanceof ObservableDictionary<?, ?>;
        };
        if (fits) {
            return null;
        }
        return "precondition " + this + " does not apply to '" + property + "', a " + target.typeDescriptor() + ": "
                + switch (operator) {
                    case AT_LEAST, AT_MOST -> "'>=' and '<=' compare a number property with a number";
                    case EQUAL_TO, NOT_EQUAL_TO -> "'==' and '!=' compare a number, string or bool property with a "
                            + "value of its kind";
                    case CONTAINS, DOES_NOT_CONTAIN -> "'contains' looks into a list or a dictionary's keys";
                };
    }

    /**
     * Whether the precondition holds on {@code profile} as it is now.
     *
     * @return null when it holds; otherwise why not, naming the property, its value and the bound
     * @throws InvalidPreconditionException when it cannot be evaluated there ({@link #problem})
     */
    public String failure(ObservableProfile profile) {
        String problem = problem(profile);
        if (problem != null) {
            throw new InvalidPreconditionException(problem);
        }
        return evaluated(profile);
    }

    /** {@link #failure} of a precondition that can be evaluated on {@code profile}. */
    private String evaluated(ObservableProfile profile) {
        ObservableProperty<?> target = profile.get(property);
        boolean holds = switch (operator) {
            case AT_LEAST -> compare(((ObservableScalar<?>) target).get(), value) >= 0;
            case AT_MOST -> compare(((ObservableScalar<?>) target).get(), value) <= 0;
            case EQUAL_TO -> same(((ObservableScalar<?>) target).get(), value);
            case NOT_EQUAL_TO -> !same(((ObservableScalar<?>) target).get(), value);
            case CONTAINS -> containsOne(target);
            case DOES_NOT_CONTAIN -> !containsOne(target);
        };
        if (holds) {
            return null;
        }
        Object current = target instanceof ObservableScalar<?> scalar ? scalar.get() : null;
        return "precondition " + this + " does not hold: " + (current != null ? "'" + property + "' is " + current
                : operator == Operator.CONTAINS ? "'" + property + "' has no " + quoted(value)
                : "'" + property + "' has " + quoted(value));
    }

    private boolean containsOne(ObservableProperty<?> target) {
        Collection<?> elements = target instanceof ObservableList<?> list ? list.value()
                : ((Map<?, ?>) ((ObservableDictionary<?, ?>) target).value()).keySet();
        for (Object element : elements) {
            if (same(element, value)) {
                return true;
            }
        }
        return false;
    }

    private static boolean same(Object current, Object expected) {
        if (current instanceof Number && expected instanceof Number) {
            return compare(current, expected) == 0;
        }
        return current.equals(expected);
    }

    private static int compare(Object current, Object expected) {
        Number a = (Number) current;
        Number b = (Number) expected;
        if (isWhole(a) && isWhole(b)) {
            return Long.compare(a.longValue(), b.longValue());
        }
        return Double.compare(a.doubleValue(), b.doubleValue());
    }

    private static boolean isWhole(Number number) {
        return number instanceof Long || number instanceof Integer || number instanceof Short
                || number instanceof Byte;
    }

    /**
     * Why this precondition fails on {@code profile}: it does not hold, or it cannot be evaluated there; null when it
     * holds. What the master tells a writer.
     */
    public String whyNot(ObservableProfile profile) {
        String problem = problem(profile);
        return problem != null ? problem : evaluated(profile);
    }

    /**
     * Checks that every one of {@code preconditions} can be evaluated on {@code profile} (the writer's copy, before it
     * sends them).
     *
     * @throws InvalidPreconditionException naming the first that cannot
     */
    public static void checkAll(List<Precondition> preconditions, ObservableProfile profile) {
        for (Precondition precondition : preconditions) {
            String problem = precondition.problem(profile);
            if (problem != null) {
                throw new InvalidPreconditionException(problem);
            }
        }
    }

    /**
     * Evaluates every one of {@code preconditions} on {@code profile}.
     *
     * @return the reasons of those that do not hold or cannot be evaluated there (empty when all hold)
     */
    public static List<String> failures(List<Precondition> preconditions, ObservableProfile profile) {
        List<String> failures = new ArrayList<>();
        for (Precondition precondition : preconditions) {
            String failure = precondition.whyNot(profile);
            if (failure != null) {
                failures.add(failure);
            }
        }
        return failures;
    }

    // ---------------------------------------------------------------- encoding

    /** The wire form of {@code preconditions} (see docs/wire-format.md, "Preconditions"). */
    public static byte[] encode(List<Precondition> preconditions) {
        if (preconditions.size() > MAX_PER_CHANGE) {
            throw new IllegalArgumentException(preconditions.size() + " preconditions; an atomic change carries at "
                    + "most " + MAX_PER_CHANGE);
        }
        ByteWriter out = new ByteWriter(16 * preconditions.size() + 1);
        out.writeVarInt(preconditions.size());
        for (Precondition precondition : preconditions) {
            out.writeString(precondition.property);
            out.writeByte(precondition.operator.code);
            Object value = precondition.value;
            if (value instanceof Long number) {
                out.writeByte(LONG);
                out.writeSignedVarLong(number);
            } else if (value instanceof Double number) {
                out.writeByte(DOUBLE);
                out.writeDouble(number);
            } else if (value instanceof String text) {
                out.writeByte(STRING);
                out.writeString(text);
            } else {
                out.writeByte(BOOL);
                out.writeByte((Boolean) value ? 1 : 0);
            }
        }
        return out.toByteArray();
    }

    /**
     * Reads what {@link #encode} wrote, trusting nothing: the count is bounded by {@link #MAX_PER_CHANGE} and by the
     * bytes that remain before anything is allocated.
     *
     * @throws ProfileFormatException when the bytes are not preconditions (naming the offset and what was expected)
     */
    public static List<Precondition> decode(byte[] bytes) {
        ByteReader in = new ByteReader(bytes);
        int count = in.readCount("precondition count", 4);
        if (count > MAX_PER_CHANGE) {
            throw in.error("precondition count " + count + " exceeds the limit of " + MAX_PER_CHANGE);
        }
        List<Precondition> preconditions = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            String property = in.readString("precondition property name");
            if (property.isEmpty()) {
                throw in.error("a precondition property name, but it is empty");
            }
            Operator operator = Operator.of(in.readByte("precondition operator"), in);
            int tag = in.readByte("precondition value kind");
            Object value = switch (tag) {
                case LONG -> in.readSignedVarLong("precondition whole-number value");
                case DOUBLE -> in.readDouble("precondition number value");
                case STRING -> in.readString("precondition string value");
                case BOOL -> in.readBoolean("precondition bool value");
                default -> throw in.error("precondition value kind " + tag + " is unknown; expected 0..3");
            };
            preconditions.add(new Precondition(property, operator, value));
        }
        in.expectEnd("the preconditions");
        return preconditions;
    }

    private static String quoted(Object value) {
        return value instanceof String ? "\"" + value + "\"" : String.valueOf(value);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Precondition that && property.equals(that.property) && operator == that.operator
                && value.equals(that.value);
    }

    @Override
    public int hashCode() {
        return Objects.hash(property, operator, value);
    }

    /** Such as {@code gold >= 100}. */
    @Override
    public String toString() {
        return property + " " + operator.symbol + " " + quoted(value);
    }
}
