package io.profilesync.master.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code peers}: the game servers and clients connected to the running master now (its admin API). */
@Command(name = "peers", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = {"List the game servers and clients connected to the running master: role, user (clients) "
            + "or secret index (game servers), address, connected since, profiles held.",
            "Needs the running master's admin API (secrets.adminToken, metrics.enabled)."})
final class PeersCommand implements Callable<Integer> {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Mixin
    Main.ConfigOption config;

    @Spec
    CommandSpec spec;

    @Option(names = "--json", description = "print the admin API's JSON instead of a table")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Logging.configure(false);
        Settings settings = Main.ConfigOption.load(spec);
        AdminClient admin = AdminClient.find(settings).orElseThrow(() -> AdminClient.masterNeeded("peers"));
        AdminClient.Response response = admin.get("/admin/peers");
        if (response.status() != 200) {
            throw new AdminException("the running master at " + admin.base() + " could not list its peers: "
                    + response.field("error"));
        }
        PrintWriter out = spec.commandLine().getOut();
        JsonNode peers = JSON.readTree(response.body());
        if (json) {
            out.println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(peers));
        } else {
            out.println(String.format("%-14s %-24s %-22s %-28s %s", "ROLE", "WHO", "ADDRESS", "CONNECTED SINCE",
                    "PROFILES HELD"));
            for (JsonNode peer : peers) {
                String who = peer.has("userId") ? peer.get("userId").asText()
                        : peer.has("secretIndex") ? "secret #" + peer.get("secretIndex").asInt() : "-";
                List<String> held = new ArrayList<>();
                peer.path("profilesHeld").forEach(user -> held.add(user.asText()));
                out.println(String.format("%-14s %-24s %-22s %-28s %s", peer.path("role").asText(), who,
                        peer.path("remoteAddress").asText(), peer.path("connectedSince").asText(),
                        held.isEmpty() ? "-" : String.join(",", held)));
            }
            out.println(peers.size() + " peer(s)");
        }
        out.flush();
        return ExitCodes.OK;
    }
}
