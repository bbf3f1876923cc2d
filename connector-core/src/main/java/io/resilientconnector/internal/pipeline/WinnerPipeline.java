package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.resilientconnector.util.Checks;

/**
 * Turns the bare channel that won a race into the application's connection. The race's channels connect before
 * any application handler is on them, so the channelActive they fired reached only the bare pipeline (empty, or
 * a proxy handler). This installs the application's handlers after whatever is there, fires channelActive
 * again from the last bare handler, so that only the new handlers see it and a proxy handler does not start a
 * second handshake, and then lets reading start. The race's channels are opened with auto-read off, so no byte
 * the peer sent first is read before the handlers that should see it are in place.
 */
public final class WinnerPipeline {

    private WinnerPipeline() {
    }

    /**
     * Adds {@code handler} to {@code channel} as Netty would ({@link UserInitializer}), replays channelActive to
     * it, and sets auto-read as given. Call it on the channel's event loop, in the same task that learns of the
     * win or any later one.
     *
     * @return {@code true}; {@code false} if adding the handler closed the channel, as a failed
     *         {@code ChannelInitializer} does: then nothing is replayed and reading stays off
     * @throws IllegalStateException if called off the channel's event loop
     */
    public static boolean install(Channel channel, String name, ChannelHandler handler, boolean autoRead) {
        Checks.state(channel.eventLoop().inEventLoop(), "WinnerPipeline.install: called off the channel's event loop");
        ChannelPipeline pipeline = channel.pipeline();
        ChannelHandlerContext lastBare = pipeline.lastContext();
        if (!UserInitializer.install(channel, name, handler)) {
            return false;
        }
        if (channel.isActive()) {
            if (lastBare == null) {
                pipeline.fireChannelActive();
            } else {
                lastBare.fireChannelActive();
            }
        }
        // Turning auto-read on issues the first read (DefaultChannelConfig.setAutoRead).
        channel.config().setAutoRead(autoRead);
        return true;
    }
}
