package io.resilientconnector.internal;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.cause.Disconnection.Unacknowledged;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * What one connection has learned about its own end: the first cause reported, and the last sample of the
 * kernel's send queue, from which the end reports the bytes the peer never acknowledged.
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

    /** The cause kept so far, or {@code null}. */
    public Disconnection recorded() {
        return cause;
    }

    /** Samples the kernel's send queue now, keeping the previous sample if the socket is gone. */
    public void sample(Channel channel, boolean whileWaiting) {
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

    /** What the end of {@code channel} reports as unacknowledged; consumes the sample. */
    public Unacknowledged unacknowledged(Channel channel) {
        if (!KernelSendQueue.supported(channel)) {
            return Unacknowledged.unknown(transportName(channel) + " has no TCP_INFO");
        }
        KernelSendQueue s = sample;
        sample = null;
        if (s == null) {
            return Unacknowledged.unknown("not sampled while the socket was open");
        }
        if (s.bytes() < 0) {
            return Unacknowledged.unknown("this kernel's TCP_INFO has no byte counters (Linux 4.19+ has)");
        }
        Duration age = Duration.ofNanos(Math.max(0, channel.eventLoop().ticker().nanoTime() - sampleNanos));
        return Unacknowledged.sampled(s.bytes(), s.notSentBytes(), s.segments(), age);
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
}
