package io.profilesync.master.transport.websocket;

import static io.profilesync.master.transport.websocket.WebSocketTestPeer.binaryFrameHeader;
import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/**
 * The frame-header limit without sockets: what it lets by untouched, what it closes with 1009 from a header alone,
 * and how it steps aside once the peer is welcomed.
 */
class FrameHeaderLimitTest {
    private static final int LIMIT = 1024;
    private final AtomicBoolean welcomed = new AtomicBoolean();
    private final FrameHeaderLimit limit = new FrameHeaderLimit(LIMIT, welcomed::get);
    private final EmbeddedChannel channel = new EmbeddedChannel(limit);

    private static byte[] frame(int opcodeAndFin, int payload) {
        byte[] header = binaryFrameHeader(payload);
        header[0] = (byte) opcodeAndFin;
        return ByteBuffer.allocate(header.length + payload).put(header).array();
    }

    private static byte[] concat(byte[]... parts) {
        return ByteBufUtil.getBytes(Unpooled.wrappedBuffer(parts));
    }

    /** Writes {@code bytes} one read at a time, {@code chunk} bytes each; returns how many bytes came out. */
    private int feed(byte[] bytes, int chunk) {
        for (int at = 0; at < bytes.length && channel.isOpen(); at += chunk) {
            channel.writeInbound(Unpooled.wrappedBuffer(bytes, at, Math.min(chunk, bytes.length - at)));
        }
        int out = 0;
        for (ByteBuf read; (read = channel.readInbound()) != null; ) {
            out += read.readableBytes();
            read.release();
        }
        return out;
    }

    private int closeCode() {
        CloseWebSocketFrame close = channel.readOutbound();
        assertThat(close).as("a close frame").isNotNull();
        int code = close.statusCode();
        close.release();
        return code;
    }

    @Test
    void beforeTheUpgradeTheBytesAreHttpAndPassUnread() {
        byte[] looksLikeAHugeFrame = binaryFrameHeader(1L << 40);
        assertThat(feed(looksLikeAHugeFrame, 64)).isEqualTo(looksLikeAHugeFrame.length);
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void framesWithinTheLimitPassUntouchedEvenWhenTheirHeadersArriveAByteAtATime() {
        limit.watch();
        byte[] frames = concat(frame(0x82, LIMIT), frame(0x89, 4), frame(0x82, 200), frame(0x82, 0));
        assertThat(feed(frames, 1)).isEqualTo(frames.length);
        assertThat(channel.isOpen()).isTrue();
        assertThat(channel.outboundMessages()).isEmpty();
    }

    @Test
    void aHeaderDeclaringMoreThanTheLimitClosesWith1009BeforeThePayloadComes() {
        limit.watch();
        byte[] header = binaryFrameHeader(LIMIT + 1);
        assertThat(feed(header, 3)).as("bytes passed on: at most the header's first reads, no payload")
                .isLessThan(header.length);
        assertThat(closeCode()).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void aHugeOrNegativeSixtyFourBitLengthIsOverTheLimitToo() {
        limit.watch();
        byte[] header = binaryFrameHeader(1L << 40);
        header[2] = (byte) 0x80; // the top bit: a negative length
        assertThat(feed(header, 16)).isZero();
        assertThat(closeCode()).isEqualTo(1009);
    }

    @Test
    void fragmentsAddingUpToMoreThanTheLimitCloseWith1009AndControlFramesBetweenThemDoNotCount() {
        limit.watch();
        // binary without fin, a ping, a continuation with fin: 1000 bytes in all, then a new message of 600 + 600
        byte[] whole = concat(frame(0x02, 500), frame(0x89, 100), frame(0x80, 500));
        assertThat(feed(whole, 7)).isEqualTo(whole.length);
        byte[] over = concat(frame(0x02, 600), frame(0x80, 600));
        feed(over, 700);
        assertThat(closeCode()).isEqualTo(1009);
        assertThat(channel.isOpen()).isFalse();
    }

    @Test
    void onceThePeerIsWelcomedItStepsOutOfThePipeline() {
        limit.watch();
        feed(frame(0x82, 10), 100);
        welcomed.set(true);
        byte[] large = frame(0x82, 64 * 1024);
        assertThat(feed(large, 4096)).isEqualTo(large.length);
        assertThat(channel.pipeline().get(FrameHeaderLimit.class)).isNull();
        assertThat(channel.isOpen()).isTrue();
    }
}
