package io.resilientconnector.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resilientconnector.internal.ChannelLog;
import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs each received buffer: its size and a short preview with every control character escaped, so a peer
 * cannot forge log lines. It logs at {@link #DEFAULT_LEVEL} unless told otherwise, so no payload reaches an
 * INFO log by default. It only logs: everything is passed on unchanged.
 */
@Sharable
public final class ReceivedBytesLogger extends ChannelInboundHandlerAdapter {

    /** Defaults to DEBUG. */
    public static final Level DEFAULT_LEVEL = Level.DEBUG;
    /** Defaults to 64 bytes of preview. */
    public static final int DEFAULT_PREVIEW_BYTES = 64;
    /** The longest preview accepted. */
    public static final int MAX_PREVIEW_BYTES = 4096;

    private final Logger logger;
    private final Level level;
    private final int previewBytes;

    public ReceivedBytesLogger() {
        this(DEFAULT_LEVEL, DEFAULT_PREVIEW_BYTES);
    }

    /** @param previewBytes how many bytes to show, 0 for the size alone */
    public ReceivedBytesLogger(Level level, int previewBytes) {
        this.logger = LoggerFactory.getLogger(ReceivedBytesLogger.class);
        this.level = Checks.notNull(level, "level");
        this.previewBytes = Checks.inRange(previewBytes, 0, MAX_PREVIEW_BYTES, "previewBytes");
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (logger.isEnabledForLevel(level)) {
            ByteBuf buf = msg instanceof ByteBuf ? (ByteBuf) msg
                    : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content() : null;
            if (buf != null) {
                if (previewBytes == 0) {
                    logger.atLevel(level).log("{} received {} bytes", ChannelLog.id(ctx.channel()), buf.readableBytes());
                } else {
                    logger.atLevel(level).log("{} received {} bytes: \"{}\"", ChannelLog.id(ctx.channel()),
                            buf.readableBytes(), LogText.preview(buf, previewBytes));
                }
            }
        }
        ctx.fireChannelRead(msg);
    }
}
