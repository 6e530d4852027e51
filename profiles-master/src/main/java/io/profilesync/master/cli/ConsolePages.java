package io.profilesync.master.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.profilesync.master.transport.websocket.PagesHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Serves the admin console ({@code /console}, its script and the pages' style) on the HTTP endpoint, next to the
 * admin API it calls. Same origin as {@code /admin/} on purpose: the page's requests need no CORS to be opened, and
 * the console is reachable exactly where the API is (a private {@code metrics.host}), whether or not the WebSocket
 * endpoint is on. The files themselves are public; every request the page makes carries the admin token.
 *
 * <p>Only GET and HEAD, only these names (no file system, no {@code ..}). Threading: the endpoint's one thread;
 * stateless.
 */
final class ConsolePages implements HttpHandler {
    static final String PATH = "/console";
    static final String STYLE = "/pages.css";
    private static final String ROOT = "io/profilesync/master/pages/";
    private static final Map<String, String> FILES = Map.of(
            PATH, "console.html", "/console.html", "console.html", "/console.js", "console.js", STYLE, "pages.css");
    // The page talks to its own origin only, and runs no inline script: a value shown is never run.
    private static final String CSP = "default-src 'self'; connect-src 'self'; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'";

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            String name = FILES.get(exchange.getRequestURI().getPath());
            if (name == null) {
                respond(exchange, 404, "text/plain; charset=utf-8", ("not found: the console is " + PATH + "\n")
                        .getBytes(StandardCharsets.UTF_8), false);
                return;
            }
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().add("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes;
            try (InputStream in = ConsolePages.class.getClassLoader().getResourceAsStream(ROOT + name)) {
                if (in == null) {
                    throw new IllegalStateException("the jar lacks " + ROOT + name + "; rebuild profiles-master");
                }
                bytes = in.readAllBytes();
            }
            exchange.getResponseHeaders().set("Content-Security-Policy", CSP);
            exchange.getResponseHeaders().set("X-Content-Type-Options", "nosniff");
            exchange.getResponseHeaders().set("Referrer-Policy", "no-referrer");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            respond(exchange, 200, PagesHandler.contentType(name), bytes, method.equals("HEAD"));
        }
    }

    private static void respond(HttpExchange exchange, int status, String contentType, byte[] body, boolean head)
            throws IOException {
        exchange.getResponseHeaders().set("Content-Type", contentType);
        exchange.sendResponseHeaders(status, head ? -1 : body.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        }
    }
}
