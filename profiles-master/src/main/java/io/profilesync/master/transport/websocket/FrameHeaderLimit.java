package io.profilesync.master.transport.websocket;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.ReferenceCountUtil;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds a peer that has not been welcomed to small messages, judged from the WebSocket frame headers alone: it sits
 * in front of Netty's frame decoder, reads each header as the bytes go by (declared payload length, fin bit,
 * opcode), and closes the connection with 1009 (message too big) as soon as a header declares a frame, or a
 * fragmented message adds up to, more than {@code limit} bytes, before the payload arrives and before the decoder
 * gathers it. The bytes themselves pass on untouched. Once the peer is welcomed ({@code lifted} says so) it steps
 * out of the pipeline, leaving Netty's own limits (the endpoint's {@code maxFrameSize}).
 *
 * <p>Until {@link #watch()} the bytes are HTTP (the upgrade request) and pass unread.
 *
 * <p>Threading: the channel's event loop only; one instance per channel.
 */
final class FrameHeaderLimit extends ChannelInboundHandlerAdapter {
    private static final Logger LOG = LoggerFactory.getLogger(FrameHeaderLimit.class);
    /** The longest header: 2 bytes, 8 of extended length, 4 of mask. */
    private static final int MAX_HEADER = 14;

    private final int limit;
    private final BooleanSupplier lifted;
    private final byte[] header = new byte[MAX_HEADER];
    private boolean watching;
    private boolean refused;
    private int headerRead;
    /** Bytes of the current frame's payload still to go by. */
    private long payloadLeft;
    /** Payload bytes of the current message so far, over its fragments. */
    private long messageBytes;

    /**
     * @param limit the largest message, in bytes, before the peer is welcomed
     * @param lifted whether the peer has been welcomed (then any size up to Netty's limits goes)
     */
    FrameHeaderLimit(int limit, BooleanSupplier lifted) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be at least 1 byte, not " + limit);
        }
        this.limit = limit;
        this.lifted = lifted;
    }

    /** From now on the bytes are WebSocket frames: the upgrade request has been read whole. */
    void watch() {
        watching = true;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (refused) {
            ReferenceCountUtil.release(msg); // closing: nothing more of it is read
            return;
        }
        if (watching && lifted.getAsBoolean()) {
            ctx.pipeline().remove(this); // it keeps no bytes, so it may leave between any two reads
        } else if (watching && msg instanceof ByteBuf bytes) {
            String over = scan(bytes);
            if (over != null) {
                refused = true;
                ReferenceCountUtil.release(msg);
                LOG.info("{} declared {} before authentication; closing it with 1009", ctx.channel(), over);
                ctx.channel().writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(),
                        "before authentication a message may take " + limit + " bytes (unauthenticatedFrameLimit)"))
                        .addListener(ChannelFutureListener.CLOSE);
                return;
            }
        }
        ctx.fireChannelRead(msg);
    }

    /** Reads the frame headers in {@code bytes} (without consuming them); returns what is over the limit, or null. */
    private String scan(ByteBuf bytes) {
        int at = bytes.readerIndex();
        int end = bytes.writerIndex();
        while (at < end) {
            if (payloadLeft > 0) {
                int skip = (int) Math.min(payloadLeft, end - at);
                at += skip;
                payloadLeft -= skip;
                continue;
            }
            header[headerRead++] = bytes.getByte(at++);
            if (headerRead < 2 || headerRead < headerLength()) {
                continue;
            }
            headerRead = 0;
            long length = payloadLength();
            if (length > limit) {
                return "a frame of " + length + " bytes";
            }
            boolean data = (header[0] & 0x08) == 0; // opcodes 0 to 7: continuation, text, binary (and reserved)
            if (data) {
                messageBytes += length;
                if (messageBytes > limit) {
                    return "a message of " + messageBytes + " bytes in fragments";
                }
                if ((header[0] & 0x80) != 0) { // fin: the message is whole
                    messageBytes = 0;
                }
            }
            payloadLeft = length;
        }
        return null;
    }

    /** The length of the header being read, known from its first two bytes. */
    private int headerLength() {
        int length7 = header[1] & 0x7F;
        int extended = length7 == 126 ? 2 : length7 == 127 ? 8 : 0;
        int mask = (header[1] & 0x80) != 0 ? 4 : 0;
        return 2 + extended + mask;
    }

    /** The payload length the whole header declares; a 64-bit length with its top bit set reads as the largest. */
    private long payloadLength() {
        int length7 = header[1] & 0x7F;
        if (length7 < 126) {
            return length7;
        }
        int bytes = length7 == 126 ? 2 : 8;
        long length = 0;
        for (int i = 0; i < bytes; i++) {
            length = (length << 8) | (header[2 + i] & 0xFF);
        }
        return length < 0 ? Long.MAX_VALUE : length;
    }
}
