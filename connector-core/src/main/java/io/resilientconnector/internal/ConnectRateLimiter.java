package io.resilientconnector.internal;

/**
 * A limit on connection attempts per second, shared by every connector of one resources object: a token
 * bucket of {@code burst} tokens refilled at {@code rate} a second, kept as the generic cell rate algorithm
 * (one "theoretical arrival time"), so an attempt learns at once when it may run instead of polling.
 *
 * <p>Attempts are never refused, only delayed, in two steps. An attempt first takes its place in the queue
 * ({@link #reserve}), which may be seconds ahead when many connectors wait, and which keeps them in the order
 * they asked. When its place comes, it takes a start slot ({@link #waitNanos}): at once, unless other attempts
 * start at the same moment. The second step is what holds the rate when an event loop runs late: the attempts
 * whose places passed while it was busy would otherwise all start together when it catches up; instead they
 * are spaced at the rate again, in the order they come. N connectors therefore cannot exceed the rate, whatever
 * N is, and whatever their event loops' delays. Thread-safe.
 */
public final class ConnectRateLimiter {

    private final long intervalNanos;
    private final long toleranceNanos;
    private final Cell queue = new Cell();
    private final Cell starts = new Cell();

    /**
     * One attempt's progress through the limit: its place in the queue, then its start slot. Confined to the
     * thread that starts the attempt; a new turn begins once the attempt may start.
     */
    public static final class Turn {
        private boolean queued;
        private long place;
        private boolean slotHeld;
        private long slot;

        private void end() {
            queued = false;
            slotHeld = false;
        }
    }

    /** One generic-cell-rate clock: its theoretical arrival time. */
    private static final class Cell {
        private boolean used;
        private long theoreticalArrival;

        long take(long atNanos, long intervalNanos, long toleranceNanos) {
            long allowed = used ? Math.max(atNanos, theoreticalArrival - toleranceNanos) : atNanos;
            theoreticalArrival = (used ? Math.max(allowed, theoreticalArrival) : allowed) + intervalNanos;
            used = true;
            return allowed;
        }
    }

    /**
     * @param perSecond attempts a second, &gt; 0
     * @param burst     attempts that may start at once after a quiet period, &gt;= 1
     */
    public ConnectRateLimiter(double perSecond, int burst) {
        this.intervalNanos = Math.max(1, (long) (1e9 / perSecond));
        this.toleranceNanos = intervalNanos * (burst - 1L);
    }

    /** Takes the first place in the queue at or after {@code atNanos} and returns its time: the queue alone. */
    synchronized long reserve(long atNanos) {
        return queue.take(atNanos, intervalNanos, toleranceNanos);
    }

    /**
     * How long the attempt of {@code turn} must wait from {@code nowNanos} before it starts. Zero means: start
     * now; the turn is then over. Otherwise call again once that wait is over.
     *
     * <p>The first call takes the attempt's place in the queue. Once the place has come, the attempt takes a
     * start slot: now, unless attempts already started close to now. A slot is good only when the attempt runs
     * on time for it: one that runs later than the tolerance allows (its event loop was busy) takes a slot anew,
     * rather than start together with the others that were held up with it.
     */
    public synchronized long waitNanos(Turn turn, long nowNanos) {
        if (!turn.queued) {
            turn.queued = true;
            turn.place = queue.take(nowNanos, intervalNanos, toleranceNanos);
        }
        if (turn.place > nowNanos) {
            // Also when called early, such as when a wait was cut short: the attempt keeps its place, no more.
            return turn.place - nowNanos;
        }
        if (turn.slotHeld && nowNanos < turn.slot) {
            return turn.slot - nowNanos;
        }
        // One interval of tolerance more than the queue's, so that the loop's usual timer jitter between two
        // attempts that follow each other in the queue is no reason to wait again.
        long startTolerance = toleranceNanos + intervalNanos;
        if (turn.slotHeld && nowNanos - turn.slot <= startTolerance) {
            turn.end();
            return 0;
        }
        long slot = starts.take(nowNanos, intervalNanos, startTolerance);
        if (slot <= nowNanos) {
            turn.end();
            return 0;
        }
        turn.slotHeld = true;
        turn.slot = slot;
        return slot - nowNanos;
    }
}
