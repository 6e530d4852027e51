package io.profilesync.protocol.internal;

import com.esotericsoftware.kryonet.KryoNetException;
import com.esotericsoftware.minlog.Log;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes KryoNet's minlog output (stdout by default) to SLF4J under the logger {@code com.esotericsoftware}. */
final class KryoNetLogging {
    private static volatile boolean routed;

    private KryoNetLogging() {
    }

    static synchronized void routeToSlf4j() {
        if (routed) {
            return;
        }
        Logger slf4j = LoggerFactory.getLogger("com.esotericsoftware");
        Log.setLogger(new Log.Logger() {
            @Override
            public void log(int level, String category, String message, Throwable ex) {
                String text = category == null ? message : "[" + category + "] " + message;
                if (level == Log.LEVEL_ERROR && ex instanceof KryoNetException && message != null
                        && message.startsWith("Error reading TCP")) {
                    // A peer's unreadable frame: KryoNet closes that connection and goes on. One line, not a stack
                    // trace per hostile frame.
                    slf4j.warn("{}: closed it: {}", text, describe(ex));
                    return;
                }
                switch (level) {
                    case Log.LEVEL_ERROR -> slf4j.error(text, ex);
                    case Log.LEVEL_WARN -> slf4j.warn(text, ex);
                    case Log.LEVEL_INFO -> slf4j.info(text, ex);
                    case Log.LEVEL_DEBUG -> slf4j.debug(text, ex);
                    default -> slf4j.trace(text, ex);
                }
            }
        });
        Log.set(Log.LEVEL_INFO);
        routed = true;
    }

    private static String describe(Throwable error) {
        StringBuilder text = new StringBuilder();
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (text.length() > 0) {
                text.append(" <- ");
            }
            text.append(cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName());
            if (cause.getCause() == cause) {
                break;
            }
        }
        return text.toString();
    }
}
