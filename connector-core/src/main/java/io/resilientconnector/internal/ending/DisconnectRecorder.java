package io.resilientconnector.internal.ending;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.ssl.SslHandler;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.util.ChannelLog;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.SocketAddress;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;

/**
 * Works out why a connection ended, into its {@link ConnectionRecord}, and logs the end: the peer's close, a
 * reset, a kernel timeout, a close from this side. It keeps no state of its own; the connector's handler and
 * the standalone {@code ConnectionEventLogger} both call it.
 *
 * <p>The kernel's counters must be read while the socket is open, and a transport that fails a write closes
 * the socket before any handler hears of it. So samples are taken where the socket is known to be open: at an
 * I/O error passed through the pipeline (a read error arrives before the close), at a close from this
 * side, and, in the connector's handler, at a read that met the peer's FIN (which the transport answers
 * with a close that bypasses the pipeline); the write-stall detector samples while writes wait.
 */
public final class DisconnectRecorder {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.handler.ConnectionEventLogger");

    private DisconnectRecorder() {
    }

    /**
     * An exception passed through the pipeline. Returns whether it ends the connection; if so its cause is
     * recorded and the kernel's queue sampled while the socket is still open.
     */
    public static boolean exception(ConnectionRecord record, Channel channel, Throwable cause) {
        if (failure(record, channel, cause)) {
            // A read error arrives here before the transport closes the socket, and the kernel keeps its byte
            // counters after giving up on the peer: this sample counts exactly what was lost.
            record.sample(channel, false);
            return true;
        }
        logger.debug("{} exception that does not end the connection by itself", ChannelLog.id(channel), cause);
        return false;
    }

    /** A write failed: the transport closes the channel without an {@code exceptionCaught}. */
    public static void writeFailed(ConnectionRecord record, Channel channel, Throwable cause) {
        failure(record, channel, cause);
    }

    /** The TLS handshake failed, or ran out of time; the handler closes the channel itself. */
    public static void handshakeFailed(ConnectionRecord record, Channel channel, Throwable cause) {
        SslHandler tls = channel.pipeline().get(SslHandler.class);
        Duration timeout = tls == null ? null : Duration.ofMillis(tls.getHandshakeTimeoutMillis());
        if (record.record(CauseClassifier.classifyHandshakeFailure(cause, timeout))) {
            logger.debug("{} TLS handshake failed", ChannelLog.id(channel), cause);
        }
    }

    /**
     * A close passed through the pipeline. The transport closes on a peer's FIN or an I/O error without
     * passing through it, so a close seen there came from this side: a handler, or the application.
     */
    public static void closing(ConnectionRecord record, Channel channel) {
        if (channel.isActive()) {
            record.record(Disconnections.of(DisconnectCause.LOCAL_CLOSE));
            record.sample(channel, false);
        }
    }

    /**
     * The channel is inactive: completes the record (a peer's close if nothing else was learned), names the
     * connection, adds what the kernel said at the end (the bytes the peer never acknowledged, TCP_INFO) and how
     * long nothing had been read, logs one line and returns the result.
     */
    public static Disconnection ended(ConnectionRecord record, Channel channel) {
        if (record.recorded() == null && record.sampleShowsKernelTimeout()) {
            // The kernel's ETIMEDOUT goes to whichever operation asks first; on io_uring that can be a write whose
            // failure comes after the read that then meets end of stream. The kernel's state tells the two apart.
            record.record(Disconnections.builder(DisconnectCause.TIMED_OUT, "ETIMEDOUT", null)
                    .detail("the kernel ended the connection while retransmitting (TCP state CLOSE, not a peer's FIN)")
                    .build());
        }
        record.record(Disconnections.of(DisconnectCause.PEER_CLOSED));
        Disconnection why = named(record.recorded(), channel);
        if (why.unacknowledged() == null) {
            why = record.withKernelSample(why, channel);
            Duration quiet = record.sinceLastRead(channel.eventLoop().ticker().nanoTime());
            if (quiet != null) {
                why = Disconnections.from(why).sinceLastRead(quiet).build();
            }
        }
        record.complete(why);
        if (why.cause() == DisconnectCause.OTHER) {
            logger.warn("{} disconnected: {}", ChannelLog.id(channel), why, why.exception());
        } else {
            logger.info("{} disconnected: {}", ChannelLog.id(channel), why);
        }
        return why;
    }

    /**
     * Ends the connection with a reset for {@code why}, a decision of this side's (a stalled write, an
     * unanswered heartbeat), logged as {@code what}. A reset, not an orderly close: after a close the kernel
     * would go on retransmitting the stuck bytes and, should the path come back after a reconnect, deliver them
     * behind the new connection's, out of order from the application's point of view.
     */
    public static void reset(ChannelHandlerContext ctx, ConnectionRecord record, Disconnection why, String what) {
        Channel channel = ctx.channel();
        if (record.record(why)) {
            logger.info("{} {}: {}; resetting", ChannelLog.id(channel), what, why.detail());
        }
        abort(channel);
        ctx.close();
    }

    /**
     * Makes the coming close a reset (SO_LINGER 0). After an orderly close the kernel would go on
     * retransmitting the stuck bytes, and, should the path come back after a reconnect, deliver them behind the
     * new connection's: out of order, from the application's point of view. A reset drops them.
     */
    private static void abort(Channel channel) {
        try {
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
        } catch (RuntimeException e) {
            logger.debug("{} could not set SO_LINGER 0; closing normally", ChannelLog.id(channel), e);
        }
    }

    /** {@code why}, naming {@code channel} and the address it was connected or connecting to. */
    public static Disconnection named(Disconnection why, Channel channel) {
        if (why.connectionId() != null) {
            return why;
        }
        SocketAddress remote = channel.remoteAddress();
        return Disconnections.from(why).connection(channel.id().asShortText(), remote).build();
    }

    private static boolean failure(ConnectionRecord record, Channel channel, Throwable cause) {
        if (cause instanceof ClosedChannelException) {
            // A consequence of a close already under way, never a cause.
            return true;
        }
        Disconnection classified = CauseClassifier.classifyEstablished(cause);
        if (classified == null) {
            return false;
        }
        if (record.record(classified)) {
            logger.debug("{} connection failed: {}", ChannelLog.id(channel), classified, cause);
        }
        return true;
    }
}
