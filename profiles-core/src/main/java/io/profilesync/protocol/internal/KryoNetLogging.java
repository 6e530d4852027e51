package io.profilesync.protocol.internal;

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
}
