package io.profilesync.master.transport.websocket;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Serves the browser pages on the WebSocket port: the demo page on {@code /} (a player's profile, live), its script
 * and style, and the TypeScript client compiled into the jar under {@code /client/} (the admin console is served
 * by the admin HTTP endpoint instead, next to the API it calls). Only GET, only these names (no file system, no
 * {@code ..}); anything else goes on down the pipeline (the WebSocket upgrade, then 404). JSON endpoints ({@code /admin/api/...}) are answered by
 * {@code api}, which gets the request and returns a response or null.
 *
 * <p>Threading: Netty's event loop; stateless apart from the resources it reads, so one instance serves every
 * channel.
 */
@ChannelHandler.Sharable
public final class PagesHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final String ROOT = "io/profilesync/master/pages/";
    /** The compiled client's modules: lower-case names, hyphens inside (list-views.js), never a dot or "..". */
    private static final Pattern CLIENT_FILE =
            Pattern.compile("/client/[a-z0-9]+(-[a-z0-9]+)*(/[a-z0-9]+(-[a-z0-9]+)*)*\\.js");
    private static final Map<String, String> PAGES = Map.of(
            "/", "index.html", "/index.html", "index.html", "/demo.js", "demo.js", "/pages.css", "pages.css");
    private static final String CSP = "default-src 'self'; connect-src 'self' ws: wss:; img-src 'self' data:; "
            + "style-src 'self'; script-src 'self'; frame-ancestors 'none'";

    private final String webSocketPath;
    private final Function<FullHttpRequest, FullHttpResponse> api;

    /**
     * @param webSocketPath the path of the WebSocket upgrade, which the pages connect to
     * @param api answers {@code /admin/api/...} requests (a response, or null: not found), or null for none
     */
    public PagesHandler(String webSocketPath, Function<FullHttpRequest, FullHttpResponse> api) {
        super(false);
        this.webSocketPath = webSocketPath;
        this.api = api;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        FullHttpResponse response = null;
        boolean upgrade = request.headers().containsValue(HttpHeaderNames.UPGRADE, HttpHeaderValues.WEBSOCKET, true);
        if (!upgrade && path.startsWith("/admin/api/") && api != null) {
            response = api.apply(request);
        } else if (!upgrade && request.method().equals(HttpMethod.GET)) {
            String resource = PAGES.get(path);
            if (resource == null && CLIENT_FILE.matcher(path).matches()) {
                resource = path.substring(1);
            }
            if (resource != null) {
                response = resource(resource, webSocketPath);
            }
        }
        if (response == null) {
            ctx.fireChannelRead(request);
            return;
        }
        request.release();
        response.headers().set("Content-Security-Policy", CSP).set("X-Content-Type-Options", "nosniff")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (!keepAlive) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var written = ctx.writeAndFlush(response);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private static FullHttpResponse resource(String name, String webSocketPath) {
        byte[] bytes;
        try (InputStream in = PagesHandler.class.getClassLoader().getResourceAsStream(ROOT + name)) {
            if (in == null) {
                return name.startsWith("client/") ? text(HttpResponseStatus.NOT_FOUND, "the TypeScript client was "
                        + "not built into this jar (node was missing at build time: see clients/typescript)\n") : null;
            }
            bytes = in.readAllBytes();
            if (name.endsWith(".html")) {
                bytes = new String(bytes, StandardCharsets.UTF_8).replace("{{WS_PATH}}", webSocketPath)
                        .getBytes(StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
                Unpooled.wrappedBuffer(bytes));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType(name));
        return response;
    }

    /** The Content-Type of a page's file by its name (HTML, CSS, else JavaScript); the admin console's too. */
    public static String contentType(String name) {
        if (name.endsWith(".html")) {
            return "text/html; charset=utf-8";
        }
        if (name.endsWith(".css")) {
            return "text/css; charset=utf-8";
        }
        return "text/javascript; charset=utf-8";
    }

    /** A plain-text response. */
    public static FullHttpResponse text(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
        return response;
    }

    /** A JSON response. */
    public static FullHttpResponse json(HttpResponseStatus status, String body) {
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");
        return response;
    }
}
