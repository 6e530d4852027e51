/**
 * The master's command line and executable jar: {@code serve} (the default), {@code profile show|export|import},
 * {@code backup} and {@code token mint}, the YAML configuration they share ({@link
 * io.profilesync.master.cli.Settings}), generated secrets, and the optional HTTP endpoint for {@code /health} and
 * Prometheus {@code /metrics}. Only this package uses picocli, Logback and the Prometheus registry, all optional
 * dependencies of profiles-master: code that embeds {@link io.profilesync.master.MasterServer} needs none of them.
 * The settings are documented in {@code docs/configuration.md}.
 */
package io.profilesync.master.cli;
