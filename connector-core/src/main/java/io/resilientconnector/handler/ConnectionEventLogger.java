package io.resilientconnector.handler;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.resilientconnector.cause.CauseClassifier;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.internal.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.channels.ClosedChannelException;

/**
 * Works out why a connection ended and logs it: the peer's close, a reset, a kernel timeout, or a close from
 * this side. The first cause is {@linkplain Disconnection#record recorded} on the channel for whoever reacts
 * to the loss. Put it first in the pipeline so that it sees every exception the transport raises; it passes
 * every event on.
 *
 * <p>A write that fails with an I/O error closes the channel without an {@code exceptionCaught}, so this
 * handler also watches write outcomes, through one shared listener and no allocation per write.
 *
 * <p>The disconnection it logs and hands on also says what the kernel still held that the peer had not
 * acknowledged ({@link Disconnection#unacknowledged()}), from TCP_INFO on epoll and io_uring or
 * {@code /proc/net/tcp} for NIO on Linux, sampled at the error or the close while the socket is still open.
 * Elsewhere it says "unknown".
 */
@Sharable
public final class ConnectionEventLogger extends ChannelDuplexHandler {

    private static final Logger logger = LoggerFactory.getLogger(ConnectionEventLogger.class);

    private static final ChannelFutureListener WRITE_FAILURE = future -> {
        if (!future.isSuccess()) {
            recordFailure(future.channel(), future.cause());
        }
    };

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (recordFailure(ctx.channel(), cause)) {
            // A read error arrives here before the transport closes the socket, and the kernel keeps its byte
            // counters after giving up on the peer: this sample counts exactly what was lost.
            UnacknowledgedSampler.sample(ctx, false);
        } else {
            logger.debug("{} exception that does not end the connection by itself", ChannelLog.id(ctx.channel()), cause);
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt instanceof SslHandshakeCompletionEvent && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
            Throwable cause = ((SslHandshakeCompletionEvent) evt).cause();
            if (Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.TLS_HANDSHAKE, null, cause))) {
                logger.debug("{} TLS handshake failed", ChannelLog.id(ctx.channel()), cause);
            }
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        ctx.write(msg, promise.unvoid().addListener(WRITE_FAILURE));
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        // The transport closes on a peer's FIN or an I/O error without passing through the pipeline, so a
        // close seen here came from this side: a handler, or the application.
        if (ctx.channel().isActive()) {
            Disconnection.record(ctx.channel(), Disconnection.of(DisconnectCause.LOCAL_CLOSE));
            UnacknowledgedSampler.sample(ctx, false);
        }
        super.close(ctx, promise);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        Channel channel = ctx.channel();
        Disconnection.record(channel, Disconnection.of(DisconnectCause.PEER_CLOSED));
        Disconnection why = Disconnection.recordUnacknowledged(channel, UnacknowledgedSampler.report(ctx));
        if (why.cause() == DisconnectCause.OTHER) {
            logger.warn("{} disconnected: {}", ChannelLog.id(channel), why, why.exception());
        } else {
            logger.info("{} disconnected: {}", ChannelLog.id(channel), why);
        }
        super.channelInactive(ctx);
    }

    /** Records an I/O failure as the cause, returning whether it was one that ends the connection. */
    private static boolean recordFailure(Channel channel, Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            // A consequence of a close already under way, never a cause.
            return true;
        }
        Disconnection classified = CauseClassifier.classifyEstablished(cause);
        if (classified == null) {
            return false;
        }
        if (Disconnection.record(channel, classified)) {
            logger.debug("{} connection failed: {}", ChannelLog.id(channel), classified, cause);
        }
        return true;
    }
}
