package io.resilientconnector.handler;

import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.internal.pipeline.ReceivedBytesPreview;
import io.resilientconnector.util.Checks;
import org.slf4j.event.Level;

/**
 * Logs each received buffer: its size and a short preview with every control character escaped, so a peer
 * cannot forge log lines. It logs at {@link #DEFAULT_LEVEL} unless told otherwise, so no payload reaches an
 * INFO log by default. It only logs: everything is passed on unchanged.
 */
@Sharable
public final class ReceivedBytesLogger extends ChannelInboundHandlerAdapter {

    /** Defaults to DEBUG. */
    public static final Level DEFAULT_LEVEL = ConnectorOptions.DEFAULT_RECEIVED_BYTES_LOG_LEVEL;
    /** Defaults to 64 bytes of preview. */
    public static final int DEFAULT_PREVIEW_BYTES = 64;
    /** The longest preview accepted. */
    public static final int MAX_PREVIEW_BYTES = 4096;

    private final ReceivedBytesPreview preview;

    public ReceivedBytesLogger() {
        this(DEFAULT_LEVEL, DEFAULT_PREVIEW_BYTES);
    }

    /** @param previewBytes how many bytes to show, 0 for the size alone */
    public ReceivedBytesLogger(Level level, int previewBytes) {
        this.preview = new ReceivedBytesPreview(Checks.notNull(level, "level"),
                Checks.inRange(previewBytes, 0, MAX_PREVIEW_BYTES, "previewBytes"));
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        preview.log(ctx.channel(), msg);
        ctx.fireChannelRead(msg);
    }
}
