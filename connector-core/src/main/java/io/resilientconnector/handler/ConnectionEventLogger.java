package io.resilientconnector.handler;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.DisconnectRecorder;

/**
 * Works out why a connection ended and logs it: the peer's close, a reset, a kernel timeout, or a close from
 * this side. The first cause is kept for whoever reacts to the loss, such as {@link ReconnectHandler}, which
 * reports it to its listener. Put it first in the pipeline so that it sees every exception the transport
 * raises; it passes every event on.
 *
 * <p>A write that fails with an I/O error closes the channel without an {@code exceptionCaught}, so this
 * handler also watches write outcomes, through one shared listener and no allocation per write.
 *
 * <p>The end it logs also says what the kernel still held that the peer had not acknowledged
 * ({@link io.resilientconnector.Disconnection#unacknowledged()}), from TCP_INFO on epoll and io_uring
 * or {@code /proc/net/tcp} for NIO on Linux, sampled at the error or the close while the socket is still
 * open. Elsewhere it says "unknown".
 */
@Sharable
public final class ConnectionEventLogger extends ChannelDuplexHandler {

    private static final ChannelFutureListener WRITE_FAILURE = future -> {
        if (!future.isSuccess()) {
            DisconnectRecorder.writeFailed(ConnectionRecord.of(future.channel()), future.channel(), future.cause());
        }
    };

    /** Creates the logger: one instance serves every channel. */
    public ConnectionEventLogger() {
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        DisconnectRecorder.exception(ConnectionRecord.of(ctx.channel()), ctx.channel(), cause);
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
            DisconnectRecorder.handshakeFailed(ConnectionRecord.of(ctx.channel()), ctx.channel(),
                    ((SslHandshakeCompletionEvent) evt).cause());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise.unvoid().addListener(WRITE_FAILURE));
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        DisconnectRecorder.closing(ConnectionRecord.of(ctx.channel()), ctx.channel());
        super.close(ctx, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        ConnectionRecord record = ConnectionRecord.of(ctx.channel());
        DisconnectRecorder.ended(record, ctx.channel());
        super.channelInactive(ctx);
    }
}
