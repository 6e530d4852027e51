package io.profilesync.master.cli;

import io.profilesync.core.UserIds;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads a USER argument: refuses an id outside the rule of {@link UserIds} before anything is opened, so the command
 * line answers with the rule (exit code 2) rather than a database error or a profile that could never be saved.
 *
 * <p>Threading: stateless, thread-safe.
 */
final class UserIdArgument implements ITypeConverter<String> {
    @Override
    public String convert(String value) {
        String problem = UserIds.problem(value);
        if (problem != null) {
            throw new TypeConversionException(problem);
        }
        return value;
    }
}
