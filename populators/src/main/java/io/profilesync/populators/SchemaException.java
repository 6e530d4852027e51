package io.profilesync.populators;

import io.profilesync.core.ProfilesException;
import java.util.List;

/**
 * A schema that cannot be used: a file that cannot be read or parsed, or definitions that break a rule (unknown type,
 * duplicate name, default out of range, min above max, unknown key, ...). One exception reports every problem found;
 * its message names the source (the file, or "schema builder"), each entry by index and name, and the problem.
 * Immutable.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class SchemaException extends ProfilesException {
    private static final long serialVersionUID = 1L;
    private final List<String> problems;

    public SchemaException(String message) {
        this(message, (Throwable) null);
    }

    public SchemaException(String message, Throwable cause) {
        super(message, cause);
        this.problems = List.of(message);
    }

    SchemaException(String source, List<String> problems) {
        super(format(source, problems));
        this.problems = List.copyOf(problems);
    }

    /** Each problem, such as {@code properties[2] 'level': default 150 is above the maximum 100}. */
    public List<String> problems() {
        return problems;
    }

    private static String format(String source, List<String> problems) {
        if (problems.size() == 1) {
            return source + ": " + problems.get(0);
        }
        StringBuilder text = new StringBuilder(source).append(" has ").append(problems.size()).append(" problems:");
        for (String problem : problems) {
            text.append("\n  - ").append(problem);
        }
        return text.toString();
    }
}
