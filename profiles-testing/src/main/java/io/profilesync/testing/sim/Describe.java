package io.profilesync.testing.sim;

import java.lang.reflect.RecordComponent;
import java.util.List;

/**
 * Messages as trace text that is the same in every run: records field by field, byte arrays by their length (their
 * default {@code toString} shows an identity hash code, which would make two replays of one seed differ).
 */
final class Describe {
    private Describe() {
    }

    static String of(Object value) {
        StringBuilder out = new StringBuilder();
        append(out, value);
        return out.toString();
    }

    private static void append(StringBuilder out, Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof byte[] bytes) {
            out.append(bytes.length).append(" bytes");
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(", ");
                }
                append(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof Record record) {
            if (record.getClass().getSimpleName().equals("Hello")) {
                out.append(record); // its own toString hides the credential
                return;
            }
            out.append(record.getClass().getSimpleName()).append('[');
            RecordComponent[] components = record.getClass().getRecordComponents();
            for (int i = 0; i < components.length; i++) {
                if (i > 0) {
                    out.append(", ");
                }
                out.append(components[i].getName()).append('=');
                try {
                    append(out, components[i].getAccessor().invoke(record));
                } catch (ReflectiveOperationException e) {
                    out.append('?');
                }
            }
            out.append(']');
        } else {
            out.append(value);
        }
    }
}
