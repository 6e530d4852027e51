package io.profilesync.master.cli;

import io.profilesync.master.HmacTokens;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code token mint USER [--ttl 1h]}: prints a client token the master accepts, signed with its token secret. */
@Command(name = "token", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Client tokens.", subcommands = TokenCommand.Mint.class)
final class TokenCommand {

    @Command(name = "mint", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
            description = {"Print a client token for USER, signed with the master's token secret "
                + "(secrets.tokenSecret, PROFILESYNC_TOKEN_SECRET, or the one generated into secrets.file).",
                "For development and tests: in production a login service mints tokens (HmacTokens.mint)."})
    static final class Mint implements Callable<Integer> {
        @Mixin
        Main.ConfigOption config;

        @Spec
        CommandSpec spec;

        @Parameters(paramLabel = "USER", converter = UserIdArgument.class,
                description = "the user id the token names (1 to 128 letters, digits, . _ - @ :)")
        String user;

        @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h",
                description = "how long the token is valid: 30m, 1h, 7d (default: ${DEFAULT-VALUE})")
        String ttl;

        @Override
        public Integer call() {
            Logging.configure(false);
            Duration validity;
            try {
                validity = Units.duration(ttl);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("--ttl", e.getMessage());
            }
            if (validity.isZero()) {
                throw new ConfigException("--ttl", "must be more than 0");
            }
            Secrets secrets = Secrets.resolve(Main.ConfigOption.load(spec));
            if (secrets.tokenSecret() == null) {
                throw new ConfigException("secrets.tokenSecret", "not set and no secrets.file to generate it in; set "
                        + "secrets.tokenSecret or PROFILESYNC_TOKEN_SECRET (at least 32 characters)");
            }
            spec.commandLine().getOut().println(HmacTokens.mint(secrets.tokenSecret(), user, validity));
            spec.commandLine().getOut().flush();
            return ExitCodes.OK;
        }
    }
}
