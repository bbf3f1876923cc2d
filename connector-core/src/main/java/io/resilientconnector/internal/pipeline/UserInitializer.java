package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;

/**
 * Adds a handler as Netty's own bootstrap would, with {@code pipeline.addLast}, so that a
 * {@link ChannelInitializer}'s {@code handlerAdded} and {@code exceptionCaught} run as their authors expect.
 *
 * <p>The price is that Netty, not the caller, sees what an initializer throws: {@code ChannelInitializer} passes
 * it to its {@code exceptionCaught}, which by default logs it and closes the channel. The caller learns of the
 * failure from the close: a watcher placed just before the handler sees every close requested while the
 * handler is added, including one that an outbound handler (TLS, for one) would complete only later.
 */
public final class UserInitializer {

    private UserInitializer() {
    }

    /**
     * Adds {@code handler} to the end of {@code ch}'s pipeline. Call it on the channel's event loop, so that an
     * initializer runs before this returns.
     *
     * @return {@code true} if the channel is still open; {@code false} if adding the handler closed it, which is
     *         how a failed {@code ChannelInitializer} ends (its exception went to its {@code exceptionCaught})
     */
    public static boolean install(Channel ch, String name, ChannelHandler handler) {
        ChannelPipeline pipeline = ch.pipeline();
        boolean wasOpen = ch.isOpen();
        CloseWatch watch = new CloseWatch();
        pipeline.addLast(watch);
        try {
            pipeline.addLast(name, handler);
        } finally {
            if (pipeline.context(watch) != null) {
                pipeline.remove(watch);
            }
        }
        return !watch.closed && !(wasOpen && !ch.isOpen());
    }

    /** Notes a close passing on its way to the socket, and lets it pass. */
    private static final class CloseWatch extends ChannelOutboundHandlerAdapter {
        boolean closed;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            closed = true;
            super.close(ctx, promise);
        }
    }
}
