package io.resilientconnector.internal.ending;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.resilientconnector.Disconnection;
import io.resilientconnector.TcpStats;
import io.resilientconnector.Unacknowledged;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * What one connection has learned about its own end: the first cause reported, the last sample of the
 * kernel's state, from which the end reports the bytes the peer never acknowledged and the rest of TCP_INFO,
 * and when bytes were last read, from which it reports how long the peer had been silent.
 *
 * <p>The connector's one handler owns its connection's record as a field. The standalone handlers of
 * {@code io.resilientconnector.handler}, which cooperate in someone else's pipeline, share one record per
 * channel through {@link #of(Channel)}: the only channel attribute the library uses.
 *
 * <p>The first cause wins, because the rest are its consequences. {@link #record} may be called from any
 * thread (a close from the application's thread records {@code LOCAL_CLOSE}); the sample is touched on the
 * event loop only.
 */
public final class ConnectionRecord {

    private static final AttributeKey<ConnectionRecord> KEY = AttributeKey.valueOf(ConnectionRecord.class, "record");
    private static final AtomicReferenceFieldUpdater<ConnectionRecord, Disconnection> CAUSE =
            AtomicReferenceFieldUpdater.newUpdater(ConnectionRecord.class, Disconnection.class, "cause");

    private volatile Disconnection cause;
    // Event loop only.
    private KernelSendQueue sample;
    private long sampleNanos;
    private boolean sampleWhileWaiting;
    private boolean timed;
    private boolean reading;
    private long lastReadNanos;

    /** The record {@code channel}'s standalone handlers share, created on first use. */
    public static ConnectionRecord of(Channel channel) {
        ConnectionRecord record = channel.attr(KEY).get();
        if (record == null) {
            ConnectionRecord created = new ConnectionRecord();
            record = channel.attr(KEY).setIfAbsent(created);
            if (record == null) {
                record = created;
            }
        }
        return record;
    }

    /** The shared record of {@code channel} if a standalone handler created one, else {@code null}. */
    public static ConnectionRecord find(Channel channel) {
        return channel.attr(KEY).get();
    }

    /** Keeps {@code why} as the cause unless one is kept already; returns whether this call kept it. */
    public boolean record(Disconnection why) {
        return CAUSE.compareAndSet(this, null, why);
    }

    /**
     * Replaces the kept cause with {@code complete}: the same cause, completed at the end with what was learned
     * then (the connection's name, the unacknowledged bytes), for whoever reads it after.
     */
    public void complete(Disconnection complete) {
        cause = complete;
    }

    /** Whether the last sample shows the kernel ending the connection by a timeout (see {@link KernelSendQueue#timedOutByKernel}). */
    public boolean sampleShowsKernelTimeout() {
        return sample != null && sample.timedOutByKernel();
    }

    /** The cause kept so far, or {@code null}. */
    public Disconnection recorded() {
        return cause;
    }

    /**
     * The connection is established: the time since the last read counts from now until something is read.
     * Only the connector's handler keeps this time; without it the end reports no {@code sinceLastRead}.
     */
    public void started(long nowNanos) {
        if (!timed) {
            timed = true;
            lastReadNanos = nowNanos;
        }
    }

    /** Bytes are being read; the time is taken once, when the read completes. */
    public void reading() {
        reading = true;
    }

    /**
     * A read completed. A read that delivered nothing does not count: Netty signals read-complete for one at
     * the peer's FIN and before a read error too.
     */
    public void readComplete(long nowNanos) {
        if (reading) {
            reading = false;
            lastReadNanos = nowNanos;
        }
    }

    /** How long nothing had been read at {@code nowNanos}, or {@code null} if this record does not keep time. */
    public Duration sinceLastRead(long nowNanos) {
        return timed ? Duration.ofNanos(Math.max(0, nowNanos - lastReadNanos)) : null;
    }

    /** Samples the kernel's send queue now, keeping the previous sample if the socket is gone. */
    public void sample(Channel channel, boolean whileWaiting) {
        if (!whileWaiting && !TcpInfo.supported(channel) && !writesPending(channel)) {
            // Off TCP_INFO (NIO on Linux) a sample scans /proc/net/tcp, whose length is every socket on the
            // machine: taken only while this side's bytes are at stake, or thousands of closes cost minutes.
            return;
        }
        keep(KernelSendQueue.read(channel), channel.eventLoop().ticker().nanoTime(), whileWaiting);
    }

    /** Keeps {@code queue}, just read by the caller, as the sample; keeps the previous one if it is {@code null}. */
    public void keep(KernelSendQueue queue, long nowNanos, boolean whileWaiting) {
        if (queue != null) {
            sample = queue;
            sampleNanos = nowNanos;
            sampleWhileWaiting = whileWaiting;
        }
    }

    /**
     * Drops a sample taken while writes were waiting, once they drained: it no longer says anything about what
     * an end much later would lose.
     */
    public void writesDrained() {
        if (sampleWhileWaiting) {
            sample = null;
        }
    }

    /**
     * {@code why} completed with what the last sample of {@code channel}'s kernel state says at its end: the
     * bytes the peer never acknowledged, and the rest of TCP_INFO. Consumes the sample.
     */
    public Disconnection withKernelSample(Disconnection why, Channel channel) {
        if (!KernelSendQueue.supported(channel)) {
            return withUnknownSample(why, transportName(channel) + " has no TCP_INFO");
        }
        KernelSendQueue s = sample;
        sample = null;
        if (s == null) {
            return withUnknownSample(why, "not sampled while the socket was open");
        }
        Duration age = Duration.ofNanos(Math.max(0, channel.eventLoop().ticker().nanoTime() - sampleNanos));
        Unacknowledged unacknowledged = s.bytes() < 0
                ? Unacknowledged.unknown("this kernel's TCP_INFO has no byte counters (Linux 4.19+ has)")
                : Disconnections.unacknowledged(s.bytes(), s.notSentBytes(), s.segments(), age);
        return Disconnections.from(why).unacknowledged(unacknowledged).tcpInfo(s.stats(age)).build();
    }

    private static Disconnection withUnknownSample(Disconnection why, String reason) {
        return Disconnections.from(why).unacknowledged(Unacknowledged.unknown(reason))
                .tcpInfo(TcpStats.unknown(reason)).build();
    }

    private static String transportName(Channel channel) {
        // NioSocketChannel -> nio, KQueueSocketChannel -> kqueue, EmbeddedChannel -> embedded.
        String name = channel.getClass().getSimpleName();
        int suffix = name.indexOf("SocketChannel");
        if (suffix <= 0) {
            suffix = name.indexOf("Channel");
        }
        return (suffix > 0 ? name.substring(0, suffix) : name).toLowerCase(Locale.ROOT);
    }

    private static boolean writesPending(Channel channel) {
        io.netty.channel.ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer != null && !buffer.isEmpty();
    }
}
