/**
 * A sample master plugin for the demo schema: levelling rules ({@link io.profilesync.samples.plugin.LevellingRules})
 * and an audit log of every currency change ({@link io.profilesync.samples.plugin.CurrencyAudit}). Built into
 * {@code samples/target/profilesync-sample-plugin.jar}; drop it in the master jar's {@code plugins/} directory.
 */
package io.profilesync.samples.plugin;
