package io.profilesync.master.transport.websocket;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.ArrayList;
import java.util.List;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.profilesync.master.WebSocketConfig;
import io.profilesync.master.transport.ConnectionGate;
import io.profilesync.master.transport.ConnectionId;
import io.profilesync.master.transport.GatedConnection;
import io.profilesync.protocol.ProtocolException;
import io.profilesync.protocol.internal.EventLoop;
import io.profilesync.protocol.internal.Frames;
import io.profilesync.protocol.internal.Messages.Message;
import io.profilesync.protocol.internal.Messages.Refused;
import io.profilesync.protocol.internal.Messages.Welcome;
import io.profilesync.protocol.internal.PeerChannel;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The master's WebSocket endpoint, on Netty: every connection upgraded on {@code settings.path()} becomes one
 * {@link PeerChannel} carrying the same messages as KryoNet TCP, one message per binary frame, and every event of it
 * is handed to the master core's {@link EventLoop} ({@link PeerEvents}). Authentication and permissions are the
 * core's, the same for every transport; the limits on peers are the {@link ConnectionGate}'s, the one instance that
 * also guards KryoNet TCP, so both transports count together. This class enforces them on Netty's thread:
 * <ul>
 *   <li>a connection counts as waiting to authenticate from its accept until its Welcome is written or it closes;
 *       one over the gate's limits is answered 503 with {@code Retry-After} to its HTTP request, before any upgrade,
 *       and closed;
 *   <li>a connection whose upgrade is not done within the gate's {@code authenticationTimeout} is closed (the core
 *       then gives the upgraded peer as long again to authenticate, and refuses it with TIMEOUT if it does not);
 *   <li>before its Welcome a peer's messages may take {@code unauthenticatedFrameLimit} bytes, judged from each frame
 *       header before the payload is gathered ({@link FrameHeaderLimit}; close 1009); after it, {@code maxFrameSize}
 *       bounds Netty's frame decoder and its aggregation of fragments;
 *   <li>each message of a welcomed peer is charged to its budget before the core sees it: over it, the peer is sent
 *       Refused (OVERLOADED) with the reason and closed (1008) a moment later, and nothing more of it is read;
 *   <li>one read of at most 16 KiB per connection per turn of Netty's thread, so a peer flooding small frames
 *       cannot keep that thread decoding its frames while the others wait;
 *   <li>an {@link Error} while handling a peer is reported to the master's health and closes that peer.
 * </ul>
 * It also enforces binary frames only, one well-formed message per frame, idle peers, and back-pressure
 * ({@code trySend} is false while Netty's outbound buffer is above {@code writeBufferSize}). Optionally TLS, from
 * PEM files.
 *
 * <p>Threading: {@link #start} and {@link #close} from any thread, once each; Netty's threads read, decode and
 * write; the {@link PeerChannel}s it hands out are called on the core's loop, as that interface says.
 */
public final class WebSocketTransport implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketTransport.class);
    /** The HTTP upgrade request (and page requests) may take this much; more is answered 413. */
    private static final int MAX_HTTP_REQUEST = 16 * 1024;
    /** The most bytes read from one connection before the event loop turns to the others. */
    private static final int READ_TURN = 16 * 1024;

    private final WebSocketConfig settings;
    private final EventLoop loop;
    private final PeerEvents events;
    private final PagesHandler pages;
    private final ConnectionGate gate;
    private final AtomicInteger ids = new AtomicInteger();
    private final ChannelGroup channels = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private EventLoopGroup group;
    private Channel server;
    private SslContext ssl;

    /**
     * @param pages the browser pages, served ahead of the upgrade when {@code settings.pages()}, or null for none
     * @param gate the master's connection gate, shared with its other transports
     */
    public WebSocketTransport(WebSocketConfig settings, EventLoop loop, PeerEvents events, PagesHandler pages,
            ConnectionGate gate) {
        this.settings = java.util.Objects.requireNonNull(settings, "settings");
        this.loop = java.util.Objects.requireNonNull(loop, "loop");
        this.events = java.util.Objects.requireNonNull(events, "events");
        this.pages = pages;
        this.gate = java.util.Objects.requireNonNull(gate, "gate");
    }

    /**
     * Binds and listens.
     *
     * @throws IOException when the port cannot be bound or the TLS files cannot be read (the message says which)
     */
    public synchronized void start() throws IOException {
        if (settings.tls()) {
            try {
                ssl = SslContextBuilder.forServer(settings.certificate().toFile(), settings.privateKey().toFile())
                        .build();
            } catch (SSLException | IllegalArgumentException e) {
                throw new IOException("cannot use the TLS certificate " + settings.certificate() + " and key "
                        + settings.privateKey() + " (PEM, key in PKCS#8 'BEGIN PRIVATE KEY' form): "
                        + e.getMessage(), e);
            }
        }
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK,
                        new WriteBufferWaterMark(settings.writeBufferSize() / 2, settings.writeBufferSize()))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        configure(ch);
                    }
                });
        try {
            server = bootstrap.bind(settings.host(), settings.port()).sync().channel();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("interrupted while binding " + settings.host() + ":" + settings.port(), e);
        } catch (Exception e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw new IOException("cannot listen for WebSocket on " + settings.host() + ":" + settings.port() + ": "
                    + e.getMessage() + "; pick another websocket.port", e);
        }
        LOG.info("WebSocket endpoint listening on {}://{}:{}{}", settings.tls() ? "wss" : "ws", settings.host(),
                port(), settings.path());
    }

    /** The bound port (useful with port 0). */
    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    public WebSocketConfig settings() {
        return settings;
    }

    private void configure(SocketChannel ch) {
        channels.add(ch);
        // One read of at most READ_TURN bytes per connection per turn of the event loop: a peer flooding small
        // frames cannot make the thread decode a megabyte of them before it reads anyone else.
        ch.config().setRecvByteBufAllocator(new AdaptiveRecvByteBufAllocator(512, 2048, READ_TURN)
                .maxMessagesPerRead(1));
        PeerHandler peer = new PeerHandler(ids.incrementAndGet(), ch);
        ChannelPipeline p = ch.pipeline();
        if (ssl != null) {
            p.addLast("tls", ssl.newHandler(ch.alloc()));
        }
        // Ahead of the frame decoder the upgrade puts where "http" is, so it sees each header before the payload.
        p.addLast("frame-limit", peer.frameLimit);
        long idle = settings.idleTimeout().toMillis();
        p.addLast("idle", new IdleStateHandler(idle, idle / 3, 0, TimeUnit.MILLISECONDS));
        p.addLast("http", new HttpServerCodec());
        p.addLast("admission", new Admission(peer));
        p.addLast("aggregator", new HttpObjectAggregator(MAX_HTTP_REQUEST));
        if (pages != null && settings.pages()) {
            p.addLast("pages", pages);
        }
        WebSocketDecoderConfig decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(settings.maxFrameSize())
                .allowExtensions(false)
                .allowMaskMismatch(false)
                .closeOnProtocolViolation(true)
                .build();
        p.addLast("websocket", new WebSocketServerProtocolHandler(WebSocketServerProtocolConfig.newBuilder()
                .websocketPath(settings.path())
                .checkStartsWith(false)
                .handleCloseFrames(true)
                .dropPongFrames(true)
                .decoderConfig(decoder)
                .build()));
        // A message may arrive in fragments (continuation frames); whole, it is still bounded by maxFrameSize.
        p.addLast("fragments", new WebSocketFrameAggregator(settings.maxFrameSize()));
        p.addLast("peer", peer);
        p.addLast("not-found", new FallbackHttpHandler());
    }

    /** Every HTTP request that is neither an upgrade on the path nor a page: 400 when malformed, else 404. */
    private static final class FallbackHttpHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            boolean malformed = request.decoderResult().isFailure();
            HttpResponseStatus status = malformed ? HttpResponseStatus.BAD_REQUEST : HttpResponseStatus.NOT_FOUND;
            String text = malformed ? "not an HTTP request: the profilesync WebSocket endpoint speaks HTTP then "
                    + "WebSocket (the KryoNet TCP port is another)\n" : "not found\n";
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
                    Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    /**
     * Stops listening and closes every connection with 1001 (going away) after what was already sent to it, waiting
     * up to 2 s for those frames to leave; each connection ends with onDisconnected on the loop. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (group == null) {
            return;
        }
        if (server != null) {
            server.close().awaitUninterruptibly();
        }
        // Writes keep their order: the close frame leaves after the last push, then the connection closes.
        List<ChannelFuture> closing = new ArrayList<>();
        for (Channel ch : channels) {
            closing.add(ch.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
                    "the master is shutting down")).addListener(ChannelFutureListener.CLOSE).channel().closeFuture());
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        for (ChannelFuture future : closing) {
            future.awaitUninterruptibly(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly();
        group = null;
    }

    /**
     * The gate at the HTTP level, for one connection: counts it in at its accept (or finds it over the limits, and
     * answers its request 503), closes it if its upgrade is not done within the authentication timeout, tells the
     * frame limit when the upgrade request has been read whole, and counts it out when it closes.
     */
    private final class Admission extends ChannelInboundHandlerAdapter {
        private final PeerHandler peer;
        /** Why the gate would not let it in, or null when it is counted in. */
        private String refusal;
        private boolean answered;
        private boolean upgrading;
        private ScheduledFuture<?> upgradeDeadline;

        Admission(PeerHandler peer) {
            this.peer = peer;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) throws Exception {
            try {
                InetAddress address = ctx.channel().remoteAddress() instanceof InetSocketAddress remote
                        ? remote.getAddress() : null;
                refusal = gate.enter(peer.gated, address);
                long timeout = gate.authenticationTimeout().toMillis();
                upgradeDeadline = ctx.executor().schedule(() -> {
                    if (!peer.upgraded) {
                        LOG.info("{} did not complete its WebSocket upgrade within {} ms; closing it", peer, timeout);
                        ctx.close();
                    }
                }, timeout, TimeUnit.MILLISECONDS);
            } catch (Throwable e) {
                gate.failed("accept", peer.gated, e);
            }
            super.channelActive(ctx);
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (refusal != null) {
                if (msg instanceof HttpRequest && !answered) {
                    answered = true;
                    overloaded(ctx);
                }
                ReferenceCountUtil.release(msg); // the request (or what follows it) goes no further
                return;
            }
            if (msg instanceof HttpRequest request) {
                upgrading = HttpHeaderValues.WEBSOCKET.contentEqualsIgnoreCase(
                        request.headers().get(HttpHeaderNames.UPGRADE));
            }
            if (upgrading && msg instanceof LastHttpContent) {
                peer.frameLimit.watch(); // the request is read whole: what comes next are frames
            }
            ctx.fireChannelRead(msg);
        }

        /** Answers the request 503 (the gate's limits), with Retry-After, and closes once it is written. */
        private void overloaded(ChannelHandlerContext ctx) {
            long retryAfter = Math.max(1, (gate.authenticationTimeout().toMillis() + 999) / 1000);
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.SERVICE_UNAVAILABLE, Unpooled.copiedBuffer(refusal + "\n",
                    StandardCharsets.UTF_8));
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
                    .set(HttpHeaderNames.RETRY_AFTER, retryAfter)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            try {
                if (upgradeDeadline != null) {
                    upgradeDeadline.cancel(false);
                }
                gate.left(peer.gated);
            } catch (Throwable e) {
                gate.failed("close", peer.gated, e);
            }
            super.channelInactive(ctx);
        }
    }

    /**
     * One WebSocket connection: decodes frames on Netty's thread, charges them to the peer's budget and hands them
     * to the core's loop.
     */
    private final class PeerHandler extends SimpleChannelInboundHandler<WebSocketFrame> implements PeerChannel {
        private final ConnectionId id;
        private final Channel channel;
        final FrameHeaderLimit frameLimit;
        /** This connection as the gate sees it. */
        final GatedConnection gated = new Gated();
        /** Set once the upgrade completed; written on Netty's thread, read on the core's loop. */
        volatile boolean upgraded;
        /** Set when the Welcome is written, on the core's loop, before it leaves; read on Netty's thread. */
        private volatile boolean welcomed;
        /** Set once the upgrade completed and onConnected was handed to the loop; read on Netty's thread. */
        private boolean connected;
        /** Set when the gate refused the peer for its budget; Netty's thread only. */
        private boolean overBudget;

        PeerHandler(int number, Channel channel) {
            this.id = new ConnectionId(ConnectionId.Transport.WEBSOCKET, number);
            this.channel = channel;
            this.frameLimit = new FrameHeaderLimit(gate.unauthenticatedFrameLimit(), () -> welcomed);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
            try {
                if (event instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
                    upgraded = true;
                    connected = true;
                    loop.execute(() -> events.onConnected(this));
                } else if (event instanceof IdleStateEvent idle) {
                    if (idle.state() == IdleState.READER_IDLE) {
                        LOG.info("{} sent nothing for {}; closing it", describe(), settings.idleTimeout());
                        closeWith(ctx, WebSocketCloseStatus.POLICY_VIOLATION, "idle");
                    } else if (idle.state() == IdleState.WRITER_IDLE && connected) {
                        ctx.writeAndFlush(new PingWebSocketFrame());
                    }
                } else {
                    super.userEventTriggered(ctx, event);
                }
            } catch (Throwable e) {
                gate.failed("event " + event.getClass().getSimpleName(), gated, e);
            }
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
            try {
                received(ctx, frame);
            } catch (Throwable e) {
                gate.failed("received", gated, e);
            }
        }

        private void received(ChannelHandlerContext ctx, WebSocketFrame frame) {
            if (overBudget) {
                return; // refused: the rest of what it sent is dropped
            }
            if (!(frame instanceof BinaryWebSocketFrame)) {
                LOG.info("{} sent a {}; the protocol has binary frames only", describe(),
                        frame.getClass().getSimpleName());
                closeWith(ctx, WebSocketCloseStatus.INVALID_MESSAGE_TYPE, "binary frames only");
                return;
            }
            ByteBuf content = frame.content();
            Message message;
            try {
                byte[] bytes = ByteBufUtil.getBytes(content);
                message = Frames.decode(bytes, 0, bytes.length);
            } catch (ProtocolException e) {
                LOG.info("{} sent a malformed frame ({} bytes): {}", describe(), content.readableBytes(),
                        e.getMessage());
                closeWith(ctx, WebSocketCloseStatus.PROTOCOL_ERROR, "malformed message");
                return;
            }
            if (gate.pass(gated, message)) {
                loop.execute(() -> events.onReceived(this, message));
            } else {
                // Over its budget: refused and closing. Nothing more of it is read, so it costs the others nothing.
                overBudget = true;
                channel.config().setAutoRead(false);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            try {
                if (connected) {
                    connected = false;
                    loop.execute(() -> events.onDisconnected(this));
                }
            } catch (Throwable e) {
                gate.failed("disconnected", gated, e);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // Oversized or malformed frames, TLS failures, resets: the peer goes; nothing else is affected.
            Throwable error = cause;
            while (error != null && !(error instanceof Error)) {
                error = error.getCause(); // a decoder wraps what it caught
            }
            if (error != null) {
                gate.failed("a frame", gated, error); // reported, and the peer closed
                return;
            }
            LOG.info("{}: {}; closing it", describe(), cause.toString());
            if (cause instanceof TooLongFrameException && ctx.channel().isActive()) {
                closeWith(ctx, WebSocketCloseStatus.MESSAGE_TOO_BIG, "a message may take " + settings.maxFrameSize()
                        + " bytes");
            } else {
                ctx.close();
            }
        }

        private void closeWith(ChannelHandlerContext ctx, WebSocketCloseStatus status, String reason) {
            ctx.writeAndFlush(new CloseWebSocketFrame(status.code(), reason))
                    .addListener(f -> ctx.close());
        }

        // ------------------------------------------------------------ PeerChannel, on the core's loop

        @Override
        public boolean trySend(Message message) {
            if (!upgraded || !channel.isActive() || !channel.isWritable()) {
                return false;
            }
            if (message instanceof Welcome welcome) {
                // Before it leaves: the peer may send full-size frames the moment it reads it.
                welcomed = true;
                gate.admit(gated, welcome);
            }
            // Encoded here, so Netty counts the frame's bytes against the water mark at once.
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Frames.encode(message))),
                    channel.voidPromise());
            return true;
        }

        @Override
        public void close() {
            if (channel.isOpen()) {
                channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.NORMAL_CLOSURE))
                        .addListener(f -> channel.close());
            }
        }

        @Override
        public String remoteAddress() {
            if (channel.remoteAddress() instanceof InetSocketAddress address) {
                return address.getHostString() + ":" + address.getPort();
            }
            return "unknown";
        }

        @Override
        public String describe() {
            return "websocket " + id.number() + " (" + remoteAddress() + ")";
        }

        @Override
        public String toString() {
            return describe();
        }

        /** The connection as the gate sees it; called from any thread. */
        private final class Gated implements GatedConnection {
            @Override
            public ConnectionId id() {
                return id;
            }

            @Override
            public boolean isOpen() {
                return channel.isActive();
            }

            @Override
            public void refuse(Refused refused) {
                // Past the back-pressure of trySend: the peer is leaving, and it must learn why.
                channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(Frames.encode(refused))),
                        channel.voidPromise());
            }

            @Override
            public void close() {
                if (channel.isOpen()) {
                    channel.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.POLICY_VIOLATION.code(),
                            "closed by the master's limits")).addListener(f -> channel.close());
                }
            }

            @Override
            public String toString() {
                return describe();
            }
        }
    }
}
