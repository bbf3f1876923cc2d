package io.resilientconnector.internal.liveness;

/**
 * Counts read-idle periods: how many whole periods have passed since the last read. It only keeps time;
 * its caller fires events and decides what they mean. A read stores a timestamp and nothing else.
 *
 * <p>Event loop only.
 */
public final class ReadIdleClock {

    private final long periodNanos;
    private long lastReadNanos;
    private int consecutive;
    private boolean reading;

    public ReadIdleClock(long periodNanos) {
        this.periodNanos = periodNanos;
    }

    /** The clock starts, as if a read had just completed. */
    public void start(long nowNanos) {
        lastReadNanos = nowNanos;
        consecutive = 0;
    }

    /** Bytes are being read; the read is not over until {@link #readComplete}. */
    public void reading() {
        reading = true;
    }

    /** A read completed: the idle count starts over. */
    public void readComplete(long nowNanos) {
        reading = false;
        lastReadNanos = nowNanos;
        consecutive = 0;
    }

    /** When the next idle period ends, if nothing is read before. */
    public long deadline() {
        return lastReadNanos + periodNanos * (consecutive + 1L);
    }

    /**
     * Checks at {@code nowNanos}: returns the number of consecutive idle periods if one has just ended (1 for
     * the first), else 0. A read in progress counts as a read.
     */
    public int check(long nowNanos) {
        if (reading) {
            readComplete(nowNanos);
            return 0;
        }
        if (nowNanos - deadline() < 0) {
            return 0;
        }
        return ++consecutive;
    }

    /** Consecutive idle periods so far in the current stretch without reads. */
    public int consecutive() {
        return consecutive;
    }

    public long periodNanos() {
        return periodNanos;
    }
}
