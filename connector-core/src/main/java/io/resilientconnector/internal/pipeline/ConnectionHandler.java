package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.DisconnectRecorder;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.ending.KernelSendQueue;
import io.resilientconnector.internal.liveness.ConnectionTimer;
import io.resilientconnector.internal.liveness.Heartbeat;
import io.resilientconnector.internal.liveness.ReadIdleClock;
import io.resilientconnector.internal.liveness.WriteStallDetector;
import io.resilientconnector.util.Durations;

import java.time.Duration;

/**
 * The connector's one handler per connection. Each job inside it is a plain object: the read-idle clock and
 * what idleness means ({@link ReadIdleClock}, {@link ReadIdlePolicy}), the write-stall detector
 * ({@link WriteStallDetector}), the record of why the connection ends ({@link ConnectionRecord},
 * {@link DisconnectRecorder}) and the received-bytes preview ({@link ReceivedBytesPreview}). One
 * {@link ConnectionTimer} serves every deadline.
 *
 * <p>It sits after TLS, before the application's handlers, so it sees every exception the transport raises
 * and every write the application makes. It tells its {@link ConnectionOwner} when the connection is ready,
 * idle, writable again, and over.
 *
 * <p>Read idle, the write-stall watchdog and the heartbeat watch a connection only once it is ready: through the
 * proxy's tunnel and the TLS handshake, where there are such. Before that the connect timeout, the proxy's
 * handshake timeout and the TLS handshake timeout bound the wait, and the listeners hear nothing of a
 * connection they have not been told is connected. Read-idle periods are also passed on to the application's handlers as
 * Netty's {@link IdleStateEvent}s, as {@code IdleStateHandler} would fire them.
 *
 * <p>Create one per channel.
 */
public final class ConnectionHandler extends ChannelDuplexHandler implements ChannelFutureListener, Runnable {

    private final ConnectionOwner owner;
    private final ConnectionSettings settings;
    private final ConnectionRecord record = new ConnectionRecord();
    private final ConnectionTimer timer = new ConnectionTimer(this);
    private final ReadIdleClock readIdle;
    private final Heartbeat heartbeat;
    private WriteStallDetector stall;
    private ChannelHandlerContext ctx;
    private boolean started;
    private boolean readyAwaited;
    /** Ready: read idle, the write-stall watchdog and the heartbeat are watching. */
    private boolean live;
    /** The application asked for the heartbeat before the connection was ready. */
    private boolean heartbeatSignalled;

    public ConnectionHandler(ConnectionOwner owner, ConnectionSettings settings) {
        this.owner = owner;
        this.settings = settings;
        this.readIdle = settings.readIdleNanos() > 0 ? new ReadIdleClock(settings.readIdleNanos()) : null;
        this.heartbeat = settings.newHeartbeat();
    }

    /** What this connection has recorded about its end. */
    public ConnectionRecord record() {
        return record;
    }

    /**
     * Added to an active channel, it starts the connection's record at once; it declares the connection ready,
     * and starts its clocks, only once channelActive has passed it to the application's handlers
     * ({@link WinnerPipeline} replays it) and the connection is through its proxy and TLS.
     */
    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        if (ctx.channel().isActive()) {
            start();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        timer.cancel();
    }

    /**
     * The application's handlers see channelActive first, so that what they write there (a protocol's hello)
     * goes out before the sends that waited for a connection, and before the listeners hear of it.
     */
    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        start();
        super.channelActive(ctx);
        if (ctx.channel().isActive() && !readyAwaited) {
            readyAwaited = true;
            readyWhenThrough(ctx.channel());
        }
    }

    private void start() {
        if (started) {
            return;
        }
        started = true;
        record.started(now());
    }

    private void readyWhenThrough(Channel channel) {
        // Ready means through the proxy's tunnel and the TLS handshake, where there are such; a failure of
        // either closes the channel and is reported as its end.
        ProxyHandlers.afterTunnel(channel, () -> {
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (tls == null) {
                ready();
            } else {
                tls.handshakeFuture().addListener(f -> {
                    if (f.isSuccess() && channel.isActive()) {
                        ready();
                    }
                });
            }
        });
    }

    private void ready() {
        startLiveness();
        owner.ready(ctx.channel());
    }

    /**
     * Starts read idle, the write-stall watchdog and the heartbeat. Not earlier: a TLS handshake that the peer
     * never answers would otherwise show as read-idle periods of a connection nobody was told of.
     */
    private void startLiveness() {
        live = true;
        long now = now();
        if (readIdle != null) {
            readIdle.start(now);
            timer.arm(ctx.executor(), readIdle.deadline());
        }
        if (stall != null) {
            // The application flushed during the setup (in channelActive, say); TLS held those bytes until now.
            watchFlushed(now);
        }
        if (heartbeat != null && (!settings.heartbeatWaitsForSignal() || heartbeatSignalled)) {
            startHeartbeat();
        }
    }

    private void startHeartbeat() {
        heartbeat.start(now());
        timer.arm(ctx.executor(), heartbeat.deadline());
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        record.reading();
        if (readIdle != null) {
            readIdle.reading();
        }
        settings.preview().log(ctx.channel(), msg);
        if (heartbeat != null && heartbeat.running()) {
            long roundTrip = heartbeat.read(now(), msg);
            if (roundTrip >= 0) {
                owner.heartbeat(ctx.channel(), roundTrip);
                timer.arm(ctx.executor(), heartbeat.deadline());
            }
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        // One clock read per read completion, shared by the record and the read-idle clock.
        long now = now();
        record.readComplete(now);
        if (ctx.channel().unsafe().recvBufAllocHandle().lastBytesRead() < 0 && ctx.channel().isActive()) {
            // The read met the peer's FIN: epoll and NIO close the socket next, without passing through the
            // pipeline, so this is the last moment to read the kernel's counters. (A read error is sampled at
            // exceptionCaught; a read that only fed TLS or a proxy's handshake costs nothing here.)
            record.sample(ctx.channel(), false);
        }
        if (readIdle != null) {
            readIdle.readComplete(now);
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        // A write that fails with an I/O error closes the channel without an exceptionCaught.
        ctx.write(msg, promise.unvoid().addListener(this));
    }

    /** A write completed: records the failure if it failed. */
    @Override
    public void operationComplete(ChannelFuture future) {
        if (!future.isSuccess()) {
            DisconnectRecorder.writeFailed(record, future.channel(), future.cause());
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        if (stall == null && started && !settings.writeStallTimeout().isZero()) {
            // Made on the first flush: a connection that never writes never needs one.
            stall = new WriteStallDetector(settings.writeStallTimeout(), ctx.channel());
        }
        if (stall != null) {
            stall.beforeFlush(ctx.channel(), record);
        }
        ctx.flush();
        if (live) {
            watchFlushed(now());
        }
    }

    private void watchFlushed(long now) {
        if (stall != null) {
            stall.flushed(ctx.channel(), record, now);
            timer.arm(ctx.executor(), stall.deadline());
        }
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
        DisconnectRecorder.closing(record, ctx.channel());
        super.close(ctx, promise);
    }

    /**
     * An exception that ends the connection is recorded, logged once with the disconnection and reported to the
     * listeners; it stops here, so that it does not reach the end of the pipeline, where Netty would log it
     * again with a stack trace. The transport closes the channel after its own I/O errors; after one from a
     * layer above it, such as TLS failing in the middle of a stream, nothing would, so the connection is closed
     * here. Any other exception goes on to the application's handlers.
     */
    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (DisconnectRecorder.exception(record, ctx.channel(), cause)) {
            if (ctx.channel().isActive()) {
                ctx.close();
            }
        } else {
            ctx.fireExceptionCaught(cause);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
        if (evt == Heartbeat.START) {
            // The application's signal that its protocol is ready for probes; it stops here. Before the
            // connection is ready it is kept for then.
            if (heartbeat != null && ctx.channel().isActive()) {
                if (live) {
                    startHeartbeat();
                } else {
                    heartbeatSignalled = true;
                }
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent && !((SslHandshakeCompletionEvent) evt).isSuccess()) {
            DisconnectRecorder.handshakeFailed(record, ctx.channel(), ((SslHandshakeCompletionEvent) evt).cause());
        }
        super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) throws Exception {
        owner.writabilityChanged(ctx.channel());
        super.channelWritabilityChanged(ctx);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
        timer.cancel();
        if (stall != null) {
            stall.disarm();
        }
        Disconnection why = DisconnectRecorder.ended(record, ctx.channel());
        try {
            super.channelInactive(ctx);
        } finally {
            owner.ended(ctx.channel(), why);
        }
    }

    /** The timer fired: handles whatever is due, then arms for the next deadline. */
    @Override
    public void run() {
        Channel channel = ctx.channel();
        // isOpen, not isActive: NIO's isActive takes the JDK socket's lock, on every firing of every connection.
        if (!channel.isOpen()) {
            return;
        }
        long now = now();
        if (stall != null) {
            String stalled = stall.check(channel, record, now);
            if (stalled != null) {
                DisconnectRecorder.reset(ctx, record,
                        Disconnections.builder(DisconnectCause.STALLED).detail(stalled).build(), "write stalled");
                return;
            }
        }
        if (heartbeat != null && !checkHeartbeat(channel, now)) {
            return;
        }
        if (readIdle != null) {
            int idle = readIdle.check(now);
            if (idle > 0) {
                owner.readIdle(channel, idle);
                boolean close = settings.readIdlePolicy().idle(channel, record, idle);
                ctx.fireUserEventTriggered(idle == 1 ? IdleStateEvent.FIRST_READER_IDLE_STATE_EVENT
                        : IdleStateEvent.READER_IDLE_STATE_EVENT);
                if (close) {
                    ctx.close();
                    return;
                }
            }
        }
        long next = readIdle != null ? readIdle.deadline() : ConnectionTimer.NEVER;
        if (stall != null) {
            next = Math.min(next, stall.deadline());
        }
        if (heartbeat != null) {
            next = Math.min(next, heartbeat.deadline());
        }
        timer.arm(ctx.executor(), next);
    }

    /** Writes a probe or ends an unresponsive connection, if either is due; returns false if it closed. */
    private boolean checkHeartbeat(Channel channel, long now) {
        switch (heartbeat.check(now)) {
            case PROBE:
                heartbeat.probeSent(now);
                // From the end of the pipeline, through the application's encoders, after what it queued.
                channel.writeAndFlush(settings.newProbe()).addListener(f -> {
                    if (f.isSuccess()) {
                        KernelProgress k = KernelProgress.read(channel);
                        heartbeat.probeWritten(now(), k.streamEnd, k.progress, k.known());
                        timer.arm(ctx.executor(), heartbeat.deadline());
                    }
                });
                return true;
            case REPLY_OVERDUE: {
                KernelProgress k = KernelProgress.read(channel);
                if (heartbeat.extendIfProgressing(now, k.progress, k.probeMayWait(heartbeat))) {
                    return true;
                }
                Disconnection.ProbeAcknowledgement ack = k.probeAcknowledgement(heartbeat);
                String detail = "no reply to the heartbeat probe within its timeout of "
                        + Durations.format(Duration.ofNanos(settings.heartbeatTimeoutNanos())) + " (waited "
                        + Durations.approx(Duration.ofNanos(heartbeat.waitedNanos(now))) + " since writing it); "
                        + (ack == Disconnection.ProbeAcknowledgement.ACKNOWLEDGED
                                ? "the next hop acknowledged it, so the path is alive and the peer is not answering"
                                : ack == Disconnection.ProbeAcknowledgement.NOT_ACKNOWLEDGED
                                        ? "the next hop did not acknowledge it: the path is dead"
                                        : "whether the next hop acknowledged it is unknown here");
                DisconnectRecorder.reset(ctx, record,
                        Disconnections.builder(DisconnectCause.UNRESPONSIVE).detail(detail).probe(ack).build(),
                        "unresponsive");
                return false;
            }
            case PROBE_UNWRITTEN:
                DisconnectRecorder.reset(ctx, record, Disconnections.builder(DisconnectCause.UNRESPONSIVE)
                        .detail("the heartbeat probe did not reach the socket within its timeout of "
                                + Durations.format(Duration.ofNanos(settings.heartbeatTimeoutNanos()))
                                + ": the writes ahead of it are not draining (the write-stall watchdog is off)")
                        .probe(Disconnection.ProbeAcknowledgement.NOT_ACKNOWLEDGED).build(), "unresponsive");
                return false;
            default:
                return true;
        }
    }

    /**
     * What the kernel says about the bytes written so far: from TCP_INFO, where they end in the stream and how
     * far they are acknowledged; from {@code /proc/net/tcp} (NIO on Linux), only how many still wait, whose
     * shrinking is progress.
     */
    private static final class KernelProgress {
        final long acked;
        final long streamEnd;
        final long progress;
        final long queued;

        private KernelProgress(long acked, long streamEnd, long progress, long queued) {
            this.acked = acked;
            this.streamEnd = streamEnd;
            this.progress = progress;
            this.queued = queued;
        }

        /** Whether the kernel said anything: TCP_INFO's byte counters, or the queue in {@code /proc}. */
        boolean known() {
            return acked >= 0 || queued >= 0;
        }

        static KernelProgress read(Channel channel) {
            KernelSendQueue queue = KernelSendQueue.read(channel);
            if (queue == null || queue.bytes() < 0) {
                return new KernelProgress(-1, -1, 0, -1);
            }
            long acked = queue.acknowledgedBytes();
            if (acked >= 0) {
                return new KernelProgress(acked, acked + queue.bytes(), acked, -1);
            }
            return new KernelProgress(-1, -1, -queue.bytes(), queue.bytes());
        }

        /** Whether the probe may still be waiting for its acknowledgement. */
        boolean probeMayWait(Heartbeat heartbeat) {
            Boolean acknowledged = heartbeat.probeAcknowledged(acked);
            return acknowledged != null ? !acknowledged : queued > 0;
        }

        /** Whether the next hop acknowledged the probe, from this reading. */
        Disconnection.ProbeAcknowledgement probeAcknowledgement(Heartbeat heartbeat) {
            Boolean acknowledged = heartbeat.probeAcknowledged(acked);
            if (acknowledged != null) {
                return acknowledged ? Disconnection.ProbeAcknowledgement.ACKNOWLEDGED
                        : Disconnection.ProbeAcknowledgement.NOT_ACKNOWLEDGED;
            }
            // NIO on Linux: /proc says how many bytes wait, not where they sit in the stream; none waiting means
            // everything written, the probe included, was acknowledged.
            return queued == 0 ? Disconnection.ProbeAcknowledgement.ACKNOWLEDGED
                    : Disconnection.ProbeAcknowledgement.UNKNOWN;
        }
    }

    private long now() {
        return ctx.executor().ticker().nanoTime();
    }

    /** The read-idle period, for tests. */
    Duration readIdlePeriod() {
        return readIdle == null ? Duration.ZERO : Duration.ofNanos(readIdle.periodNanos());
    }
}
