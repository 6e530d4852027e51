package io.profilesync.populators;

import io.profilesync.core.ChangeKind;
import io.profilesync.core.ObservableProperty;
import io.profilesync.core.UpdateRejectedException;
import io.profilesync.core.UpdateValidator;

/**
 * The master's check of one writer's updates: permissions, constraints, then the conflict policy. Immutable and
 * thread-safe.
 */
final class SchemaValidator implements UpdateValidator {
    private final ProfileSchema schema;
    private final ProfileSchema.Writer writer;

    SchemaValidator(ProfileSchema schema, ProfileSchema.Writer writer) {
        this.schema = schema;
        this.writer = writer;
    }

    /** Permissions and constraints only: what a trusted edit on the master is held to (it ignores the policy). */
    @Override
    public void validate(ObservableProperty<?> property, Object newValue) {
        check(property, newValue);
    }

    /** Permissions, constraints, then the property's {@link ConflictPolicy}: a writer's change. */
    @Override
    public void validate(ObservableProperty<?> property, Object newValue, ChangeKind kind) {
        PropertyDefinition definition = check(property, newValue);
        String refusal = definition.conflict().refusal(definition, property, newValue, kind);
        if (refusal != null) {
            throw new UpdateRejectedException(property.name(), refusal);
        }
    }

    private PropertyDefinition check(ObservableProperty<?> property, Object newValue) {
        PropertyDefinition definition = schema.find(property.name());
        if (definition == null) {
            throw new UpdateRejectedException(property.name(), "property '" + property.name()
                    + "' is not in the schema");
        }
        if (writer == ProfileSchema.Writer.CLIENT && !definition.clientWritable()) {
            throw new UpdateRejectedException(property.name(), "property '" + property.name() + "' is "
                    + (definition.clientVisible() ? "" : "hidden from clients and ") + "written by servers only");
        }
        String violation = ProfileSchema.violation(definition, property, newValue);
        if (violation != null) {
            throw new UpdateRejectedException(property.name(), violation);
        }
        return definition;
    }

    @Override
    public String toString() {
        return "SchemaValidator[" + writer + ", schema " + schema.fingerprint().substring(0, 12) + "]";
    }
}
