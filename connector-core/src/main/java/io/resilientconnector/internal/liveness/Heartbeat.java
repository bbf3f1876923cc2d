package io.resilientconnector.internal.liveness;

import io.netty.buffer.ByteBuf;
import io.resilientconnector.HeartbeatOptions;

import java.util.function.Predicate;

/**
 * One connection's heartbeat, as plain state: when to write a probe, when its reply is overdue, and whether a
 * read answered it. It only decides; the connection handler writes the probe, reads the kernel's counters and
 * closes the connection.
 *
 * <p>After {@code idle} without reads it asks for a probe. The reply's timeout counts from the moment the probe
 * was written to the socket; while the kernel shows the bytes ahead of the probe still being acknowledged,
 * the wait is extended, so a slow but healthy path is not taken for a dead one. A probe that cannot reach the
 * socket (the peer stopped reading, so the writes ahead of it never drain) is the write-stall watchdog's to
 * report; with the watchdog off, the heartbeat reports it itself, a timeout after asking for it.
 *
 * <p>Event loop only.
 */
public final class Heartbeat {

    /** The user event that starts a heartbeat that waits for the application's signal. */
    public static final Object START = HeartbeatOptions.START;

    /** What a check found due. */
    public enum Due {
        NOTHING,
        /** Write a probe now. */
        PROBE,
        /** The written probe's reply is overdue: check the kernel for progress, then declare it unresponsive. */
        REPLY_OVERDUE,
        /** The probe has not reached the socket within the timeout, and no write-stall watchdog will report it. */
        PROBE_UNWRITTEN
    }

    private final long idleNanos;
    private final long timeoutNanos;
    private final Predicate<ByteBuf> reply;
    private final boolean writesWatched;
    private boolean running;
    private long lastReadNanos;
    private boolean awaiting;
    private boolean written;
    private long sentNanos;
    private long writtenNanos;
    private long replyDeadlineNanos;
    private long probeEnd = -1;
    private long progressMark;
    private boolean progressKnown;

    /**
     * @param reply         what counts as a reply, or {@code null} for any bytes
     * @param writesWatched whether a write-stall watchdog reports writes that stop draining, a probe among them
     */
    public Heartbeat(long idleNanos, long timeoutNanos, Predicate<ByteBuf> reply, boolean writesWatched) {
        this.idleNanos = idleNanos;
        this.timeoutNanos = timeoutNanos;
        this.reply = reply;
        this.writesWatched = writesWatched;
    }

    /** Probing starts: the first probe is due {@code idle} from now, unless something is read first. */
    public void start(long nowNanos) {
        if (!running) {
            running = true;
            lastReadNanos = nowNanos;
        }
    }

    public boolean running() {
        return running;
    }

    /**
     * Bytes were read at {@code nowNanos}. Returns the probe's round trip in nanoseconds if they answer a
     * written probe, else -1.
     */
    public long read(long nowNanos, Object msg) {
        lastReadNanos = nowNanos;
        if (!awaiting) {
            return -1;
        }
        if (reply != null && !(msg instanceof ByteBuf && reply.test((ByteBuf) msg))) {
            return -1;
        }
        awaiting = false;
        long rtt = written ? nowNanos - writtenNanos : -1;
        written = false;
        return Math.max(rtt, 0);
    }

    /** A probe was handed to the pipeline at {@code nowNanos}. */
    public void probeSent(long nowNanos) {
        awaiting = true;
        sentNanos = nowNanos;
        written = false;
        probeEnd = -1;
        progressKnown = false;
    }

    /**
     * The probe was written to the socket at {@code nowNanos}.
     *
     * @param streamEnd the stream offset just past the probe, as the kernel counts acknowledged bytes, or -1
     *                  where the kernel does not say
     * @param progress  the kernel's progress measure now (see {@link #extendIfProgressing}), if known
     * @param known     whether the kernel says anything about progress here
     */
    public void probeWritten(long nowNanos, long streamEnd, long progress, boolean known) {
        if (!awaiting) {
            return;
        }
        written = true;
        writtenNanos = nowNanos;
        replyDeadlineNanos = nowNanos + timeoutNanos;
        probeEnd = streamEnd;
        progressMark = progress;
        progressKnown = known;
    }

    /** When the next check is due, or {@link ConnectionTimer#NEVER}. */
    public long deadline() {
        if (!running) {
            return ConnectionTimer.NEVER;
        }
        if (!awaiting) {
            return lastReadNanos + idleNanos;
        }
        if (written) {
            return replyDeadlineNanos;
        }
        // A probe not yet written waits on the write-stall watchdog, where there is one.
        return writesWatched ? ConnectionTimer.NEVER : sentNanos + timeoutNanos;
    }

    public Due check(long nowNanos) {
        if (!running) {
            return Due.NOTHING;
        }
        if (!awaiting) {
            return nowNanos - (lastReadNanos + idleNanos) >= 0 ? Due.PROBE : Due.NOTHING;
        }
        if (written) {
            return nowNanos - replyDeadlineNanos >= 0 ? Due.REPLY_OVERDUE : Due.NOTHING;
        }
        return !writesWatched && nowNanos - (sentNanos + timeoutNanos) >= 0 ? Due.PROBE_UNWRITTEN : Due.NOTHING;
    }

    /**
     * The reply is overdue. {@code progress} is a measure of the kernel's progress that grows as bytes ahead of
     * the probe are acknowledged (the acknowledged byte count, or minus the bytes still queued), or -1 if
     * unknown; {@code probeUnacknowledged} whether the probe itself may still wait for acknowledgement. Returns
     * true if progress was made since the probe was written or since the last extension, in which case the
     * wait is extended by a timeout from now; false if the connection is unresponsive.
     */
    public boolean extendIfProgressing(long nowNanos, long progress, boolean probeUnacknowledged) {
        if (!probeUnacknowledged || !progressKnown || progress <= progressMark) {
            return false;
        }
        progressMark = progress;
        replyDeadlineNanos = nowNanos + timeoutNanos;
        return true;
    }

    /** Whether the next hop acknowledged the probe: TRUE, FALSE, or null if the kernel does not say. */
    public Boolean probeAcknowledged(long acked) {
        if (acked < 0 || probeEnd < 0) {
            return null;
        }
        return acked >= probeEnd;
    }

    /** How long the written probe has waited, for the report. */
    public long waitedNanos(long nowNanos) {
        return written ? nowNanos - writtenNanos : 0;
    }
}
