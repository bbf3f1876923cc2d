package io.resilientconnector.internal.pipeline;

import io.netty.buffer.ByteBuf;
import io.resilientconnector.internal.liveness.Heartbeat;
import io.resilientconnector.internal.liveness.ReadIdlePolicy;

import java.time.Duration;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * What every connection of one connector is told, worked out once from its options and shared: the read-idle
 * period and what idleness means, the write-stall timeout, the received-bytes preview, and the heartbeat.
 */
public final class ConnectionSettings {

    private final long readIdleNanos;
    private final ReadIdlePolicy readIdlePolicy;
    private final Duration writeStallTimeout;
    private final ReceivedBytesPreview preview;
    private final long heartbeatIdleNanos;
    private final long heartbeatTimeoutNanos;
    private final Supplier<?> heartbeatProbe;
    private final Predicate<ByteBuf> heartbeatReply;
    private final boolean heartbeatWaitsForSignal;

    /**
     * @param readIdle          0 to turn read-idle detection off
     * @param writeStallTimeout 0 to turn the write-stall detector off
     */
    public ConnectionSettings(Duration readIdle, ReadIdlePolicy readIdlePolicy, Duration writeStallTimeout,
                              ReceivedBytesPreview preview) {
        this.readIdleNanos = readIdle.toNanos();
        this.readIdlePolicy = readIdlePolicy;
        this.writeStallTimeout = writeStallTimeout;
        this.preview = preview;
        this.heartbeatIdleNanos = 0;
        this.heartbeatTimeoutNanos = 0;
        this.heartbeatProbe = null;
        this.heartbeatReply = null;
        this.heartbeatWaitsForSignal = false;
    }

    private ConnectionSettings(ConnectionSettings base, long idleNanos, long timeoutNanos, Supplier<?> probe,
                               Predicate<ByteBuf> reply, boolean waitsForSignal) {
        this.readIdleNanos = base.readIdleNanos;
        this.readIdlePolicy = base.readIdlePolicy;
        this.writeStallTimeout = base.writeStallTimeout;
        this.preview = base.preview;
        this.heartbeatIdleNanos = idleNanos;
        this.heartbeatTimeoutNanos = timeoutNanos;
        this.heartbeatProbe = probe;
        this.heartbeatReply = reply;
        this.heartbeatWaitsForSignal = waitsForSignal;
    }

    /**
     * These settings with a heartbeat: a probe after {@code idle} without reads, a reply expected within
     * {@code timeout}.
     *
     * @param reply          what counts as a reply, or {@code null} for any bytes
     * @param waitsForSignal whether probing starts on {@link Heartbeat#START} rather than when ready
     */
    public ConnectionSettings withHeartbeat(Duration idle, Duration timeout, Supplier<?> probe,
                                            Predicate<ByteBuf> reply, boolean waitsForSignal) {
        return new ConnectionSettings(this, idle.toNanos(), timeout.toNanos(), probe, reply, waitsForSignal);
    }

    /** A new heartbeat for one connection, or {@code null} if there is none. */
    Heartbeat newHeartbeat() {
        return heartbeatProbe == null ? null
                : new Heartbeat(heartbeatIdleNanos, heartbeatTimeoutNanos, heartbeatReply, !writeStallTimeout.isZero());
    }

    Object newProbe() {
        return heartbeatProbe.get();
    }

    boolean heartbeatWaitsForSignal() {
        return heartbeatWaitsForSignal;
    }

    long heartbeatTimeoutNanos() {
        return heartbeatTimeoutNanos;
    }

    public long readIdleNanos() {
        return readIdleNanos;
    }

    public ReadIdlePolicy readIdlePolicy() {
        return readIdlePolicy;
    }

    public Duration writeStallTimeout() {
        return writeStallTimeout;
    }

    public ReceivedBytesPreview preview() {
        return preview;
    }
}
