package io.resilientconnector.internal.liveness;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One timer for every deadline of one connection (read idle, write stall, heartbeat), re-armed lazily.
 *
 * <p>Its owner asks for the earliest of its deadlines with {@link #arm}; a firing already scheduled earlier
 * is kept, and when it runs the owner works out what is due and arms again for what is left. So a read only
 * stores a timestamp and a busy connection schedules nothing per read, as Netty's {@code IdleStateHandler}
 * does.
 *
 * <p>Deadlines are rounded up to a grid of {@link #GRID_MILLIS} on the event loop's clock, so connections
 * whose deadlines fall in the same slot are served by one wake-up of their event loop: 10,000 connections
 * with 5-second read-idle periods wake each loop at most 20 times a second, not 2,000 times. The rounding makes
 * every deadline up to one grid step late; the bounds the README gives include it.
 *
 * <p>Event loop only.
 */
public final class ConnectionTimer implements Runnable {

    /** The grid deadlines are rounded up to: 50 milliseconds. */
    public static final long GRID_MILLIS = 50;
    /** A deadline that never comes. */
    public static final long NEVER = Long.MAX_VALUE;

    private static final long GRID_NANOS = TimeUnit.MILLISECONDS.toNanos(GRID_MILLIS);

    private final Runnable task;
    private ScheduledFuture<?> scheduled;
    private long firesAt;

    /** @param task runs on the event loop when a deadline may be due; it arms the timer again if it needs to */
    public ConnectionTimer(Runnable task) {
        this.task = task;
    }

    /**
     * Makes sure the task runs at {@code deadlineNanos} (on {@code executor}'s ticker), rounded up to the grid,
     * or earlier. Does nothing for {@link #NEVER}.
     */
    public void arm(EventExecutor executor, long deadlineNanos) {
        if (deadlineNanos == NEVER) {
            return;
        }
        long at = roundUp(deadlineNanos);
        if (scheduled != null) {
            if (firesAt <= at) {
                return;
            }
            scheduled.cancel(false);
        }
        firesAt = at;
        scheduled = executor.schedule(this, Math.max(0, at - executor.ticker().nanoTime()), TimeUnit.NANOSECONDS);
    }

    /** Cancels the scheduled firing, if any. */
    public void cancel() {
        if (scheduled != null) {
            scheduled.cancel(false);
            scheduled = null;
        }
    }

    /** Whether a firing is scheduled. */
    public boolean armed() {
        return scheduled != null;
    }

    @Override
    public void run() {
        scheduled = null;
        task.run();
    }

    /** {@code nanos} rounded up to the next multiple of the grid. */
    static long roundUp(long nanos) {
        long past = Math.floorMod(nanos, GRID_NANOS);
        return past == 0 ? nanos : nanos + (GRID_NANOS - past);
    }
}
