package io.resilientconnector.internal.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.channel.Channel;
import io.resilientconnector.util.ChannelLog;
import io.resilientconnector.util.LogText;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.event.Level;

/**
 * Logs a received buffer: its size and a short preview with every control character escaped, so a peer
 * cannot forge log lines. Immutable; one serves every connection of a connector. It costs one level check per
 * read when its level is off, as it is by default.
 */
public final class ReceivedBytesPreview {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.handler.ReceivedBytesLogger");

    private final Level level;
    private final int previewBytes;

    /** @param previewBytes how many bytes to show, 0 for the size alone */
    public ReceivedBytesPreview(Level level, int previewBytes) {
        this.level = level;
        this.previewBytes = previewBytes;
    }

    public void log(Channel channel, Object msg) {
        if (!logger.isEnabledForLevel(level)) {
            return;
        }
        ByteBuf buf = msg instanceof ByteBuf ? (ByteBuf) msg
                : msg instanceof ByteBufHolder ? ((ByteBufHolder) msg).content() : null;
        if (buf == null) {
            return;
        }
        if (previewBytes == 0) {
            logger.atLevel(level).log("{} received {} bytes", ChannelLog.id(channel), buf.readableBytes());
        } else {
            logger.atLevel(level).log("{} received {} bytes: \"{}\"", ChannelLog.id(channel),
                    buf.readableBytes(), LogText.preview(buf, previewBytes));
        }
    }
}
