package io.resilientconnector.testing;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The end of an application pipeline that consumes everything at once: it counts the bytes it reads, notes
 * when it last read, and releases every message. One instance may serve every connection of a connector, so
 * the count runs on across reconnects.
 */
@Sharable
public class CountingSink extends ChannelInboundHandlerAdapter {

    private final AtomicLong bytes = new AtomicLong();
    private volatile long lastReadNanos;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        lastReadNanos = System.nanoTime();
        if (msg instanceof ByteBuf) {
            bytes.addAndGet(((ByteBuf) msg).readableBytes());
        }
        ReferenceCountUtil.release(msg);
    }

    /** The bytes read so far, over every connection. */
    public long bytes() {
        return bytes.get();
    }

    /** When a message was last read ({@link System#nanoTime()}), or 0 if none has been. */
    public long lastReadNanos() {
        return lastReadNanos;
    }
}
