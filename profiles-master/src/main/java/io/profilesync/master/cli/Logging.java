package io.profilesync.master.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Points Logback at the jar's configuration before the first logger exists, and stops it last. Commands other than
 * {@code serve} log to standard error at WARN, so what they print (an export, a token) stays clean on standard output.
 */
final class Logging {
    static final String CONFIGURATION = "io/profilesync/master/cli/logback.xml";
    /** The environment variable choosing the log format (the system property profilesync.log.format wins). */
    static final String FORMAT_VARIABLE = "PROFILESYNC_LOG_FORMAT";

    private Logging() {
    }

    /** Call before anything asks SLF4J for a logger; system properties already set win. */
    static void configure(boolean server) {
        System.setProperty("logback.configurationFile",
                System.getProperty("logback.configurationFile", CONFIGURATION));
        System.setProperty("profilesync.log.target",
                System.getProperty("profilesync.log.target", server ? "System.out" : "System.err"));
        System.setProperty("profilesync.log.level",
                System.getProperty("profilesync.log.level", server ? "INFO" : "WARN"));
        System.setProperty("profilesync.log.appender", appender(System.getProperty("profilesync.log.format",
                System.getenv(FORMAT_VARIABLE))));
    }

    /** The appender of logback.xml for a log format: text (the default) or json. */
    static String appender(String format) {
        if (format == null || format.isBlank() || format.trim().equalsIgnoreCase("text")) {
            return "CONSOLE";
        }
        if (format.trim().equalsIgnoreCase("json")) {
            return "JSON";
        }
        throw new ConfigException(FORMAT_VARIABLE, "must be text or json, not \"" + format + "\"");
    }

    /** Flushes and stops Logback; the shutdown hook calls it after its last message. */
    static void stop() {
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (factory instanceof LoggerContext context) {
            context.stop();
        }
    }
}
