package io.profilesync.core;

/**
 * An update that decoded correctly but was refused by an {@link UpdateValidator}: a permission or a schema constraint
 * forbids it. Nothing of the delta was applied.
 *
 * <p>Thread-safe: immutable once constructed.
 */
public class UpdateRejectedException extends ProfilesException {
    private static final long serialVersionUID = 1L;
    private final String propertyName;
    private final String reason;

    public UpdateRejectedException(String propertyName, String reason) {
        super("update of property '" + propertyName + "' refused: " + reason);
        this.propertyName = propertyName;
        this.reason = reason;
    }

    /** The name of the property whose update was refused. */
    public String propertyName() {
        return propertyName;
    }

    /** Why it was refused, for the writer. */
    public String reason() {
        return reason;
    }
}
