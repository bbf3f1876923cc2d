package io.resilientconnector.internal.reconnect;

/**
 * A limit on connection attempts per second, shared by every connector of one resources object: a token
 * bucket of {@code burst} tokens refilled at {@code rate} a second, kept as the generic cell rate algorithm,
 * so an attempt learns at once when it may run instead of polling.
 *
 * <p>Attempts are never refused, only delayed, in two steps. An attempt first takes its place in the queue,
 * which may be seconds ahead when many connectors wait, and which keeps them in the order they asked. When its
 * place comes, it takes a start slot ({@link #waitNanos}): at once, unless other attempts start at the same
 * moment. The second step is what holds the rate when an event loop runs late: the attempts whose places passed
 * while it was busy would otherwise all start together when it catches up; instead they are spaced at the rate
 * again, in the order they come. N connectors therefore cannot exceed the rate, whatever N is, and whatever
 * their event loops' delays.
 *
 * <p>The queue keeps its waiting turns, in order, rather than one theoretical arrival time, so that a turn that
 * {@linkplain #leave leaves} gives its place back: a place is not stored but derived, {@code base + rank *
 * interval - tolerance}, from the turn's rank among the turns still waiting. A turn that leaves lowers the rank
 * of every turn behind it, which moves each up by one interval, and a fresh turn queues behind the live ones
 * only; the queue never reaches further ahead than the turns that wait in it. A turn whose place comes is
 * served: it drops out and {@code base} moves on by one interval, which leaves the places behind it where they
 * were. Ranks come from a Fenwick tree over the turns in the order they joined, renumbered when the array fills
 * or empties, so every call costs O(log n) amortised, for n turns waiting. A turn that leaves while it holds
 * a start slot gives that back too, unless the start clock has been idle since the slot was taken, when
 * nobody is behind it to move up. Thread-safe; a turn belongs to one limiter.
 */
public final class ConnectRateLimiter {

    private final long intervalNanos;
    private final long toleranceNanos;
    private final Queue queue = new Queue();
    private final Cell starts = new Cell();

    /**
     * One attempt's progress through the limit: its place in the queue, then its start slot. Used by one thread
     * at a time; a new turn begins once the attempt may start, or once it {@linkplain #leave left}.
     */
    public static final class Turn {
        /** The limiter whose queue or start clock holds this turn, or {@code null}. */
        private ConnectRateLimiter owner;
        /** This turn's index in the queue's arrays, or -1 once its place has come or it left. */
        private int index = -1;
        private boolean queued;
        private boolean slotHeld;
        private long slot;
        /** Which of the start clock's takes gave the slot, to tell whether it can be given back. */
        private long slotTake;

        private void end() {
            owner = null;
            index = -1;
            queued = false;
            slotHeld = false;
        }
    }

    /** One generic-cell-rate clock: its theoretical arrival time. */
    private static final class Cell {
        private boolean used;
        private long theoreticalArrival;
        /** Takes so far, and the number of the last one that found the clock idle. */
        private long takes;
        private long lastIdleTake;

        long take(long atNanos, long intervalNanos, long toleranceNanos) {
            long allowed;
            if (!used || theoreticalArrival <= atNanos) {
                allowed = atNanos;
                theoreticalArrival = atNanos + intervalNanos;
                lastIdleTake = takes;
                used = true;
            } else {
                allowed = Math.max(atNanos, theoreticalArrival - toleranceNanos);
                theoreticalArrival += intervalNanos;
            }
            takes++;
            return allowed;
        }

        /** The number {@link #take} gave its last slot, for {@link #giveBack}. */
        long lastTake() {
            return takes - 1;
        }

        /**
         * Gives back the slot of take {@code take}, unused. Every take since it then found the clock busy, so each
         * was spaced one interval after the one before; without this take the clock would be one interval earlier.
         * Once the clock has been idle after it, it counts for nothing any more.
         */
        void giveBack(long take, long intervalNanos) {
            if (take >= lastIdleTake) {
                theoreticalArrival -= intervalNanos;
            }
        }
    }

    /**
     * The turns waiting for their place, in the order they joined. Live turns sit in {@code turns} at increasing
     * indices, with gaps where turns were served or left; {@code tree} is a Fenwick tree over the same indices
     * (1-based) that counts the live ones, which gives a turn's rank in O(log n).
     */
    private static final class Queue {
        private static final int MIN_CAPACITY = 16;

        private Turn[] turns = new Turn[MIN_CAPACITY];
        private int[] tree = new int[MIN_CAPACITY + 1];
        /** Indices in use, live or not: the next turn joins at {@code end}. */
        private int end;
        private int size;
        private boolean used;
        /** The place of rank 0 before the tolerance: the queue's theoretical arrival time is base + size * interval. */
        private long base;

        /** Appends {@code turn}; when the queue has fallen behind the clock, its end first moves up to now. */
        void join(Turn turn, long nowNanos, long intervalNanos) {
            long theoreticalArrival = base + size * intervalNanos;
            if (!used || theoreticalArrival < nowNanos) {
                // Only turns whose places have all come are in the queue then; they stay come.
                base = nowNanos - size * intervalNanos;
                used = true;
            }
            if (end == turns.length) {
                renumber(Math.max(MIN_CAPACITY, 2 * (size + 1)));
            }
            turns[end] = turn;
            turn.index = end;
            add(end, 1);
            end++;
            size++;
        }

        long place(Turn turn, long intervalNanos, long toleranceNanos) {
            return base + rank(turn.index) * intervalNanos - toleranceNanos;
        }

        /** The place of {@code turn} has come: it leaves, and base moves on so that the places behind stay put. */
        void serve(Turn turn, long intervalNanos) {
            remove(turn);
            base += intervalNanos;
        }

        /** {@code turn} leaves without being served: the turns behind it move up by one interval. */
        void remove(Turn turn) {
            add(turn.index, -1);
            turns[turn.index] = null;
            turn.index = -1;
            size--;
            if (turns.length > 4 * MIN_CAPACITY && size < turns.length / 4) {
                renumber(Math.max(MIN_CAPACITY, 2 * size));
            }
        }

        /** Live turns before index {@code i}. */
        private long rank(int i) {
            long sum = 0;
            for (int x = i; x > 0; x -= x & -x) {
                sum += tree[x];
            }
            return sum;
        }

        private void add(int i, int delta) {
            for (int x = i + 1; x < tree.length; x += x & -x) {
                tree[x] += delta;
            }
        }

        /** Packs the live turns, in order, into arrays of {@code capacity}: O(n), once per n joins or removals. */
        private void renumber(int capacity) {
            Turn[] packed = new Turn[capacity];
            int[] counts = new int[capacity + 1];
            int n = 0;
            for (int i = 0; i < end; i++) {
                Turn t = turns[i];
                if (t != null) {
                    packed[n] = t;
                    t.index = n;
                    counts[n + 1] = 1;
                    n++;
                }
            }
            for (int x = 1; x <= capacity; x++) {
                int parent = x + (x & -x);
                if (parent <= capacity) {
                    counts[parent] += counts[x];
                }
            }
            turns = packed;
            tree = counts;
            end = n;
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

    /**
     * Queues a turn that never starts or leaves at {@code atNanos} and returns its place: the queue alone.
     */
    synchronized long reserve(long atNanos) {
        Turn turn = new Turn();
        queue.join(turn, atNanos, intervalNanos);
        return Math.max(atNanos, queue.place(turn, intervalNanos, toleranceNanos));
    }

    /** Turns waiting for their place: what the queue holds. */
    synchronized int waiting() {
        return queue.size;
    }

    /**
     * How long the attempt of {@code turn} must wait from {@code nowNanos} before it starts. Zero means: start
     * now; the turn is then over. Otherwise call again once that wait is over, or earlier: a turn's place only
     * moves up, when turns ahead of it leave.
     *
     * <p>The first call takes the attempt's place in the queue. Once the place has come, the attempt takes a
     * start slot: now, unless attempts already started close to now. A slot is good only when the attempt runs
     * on time for it: one that runs later than the tolerance allows (its event loop was busy) takes a slot anew,
     * rather than start together with the others that were held up with it.
     */
    public synchronized long waitNanos(Turn turn, long nowNanos) {
        if (!turn.queued) {
            turn.queued = true;
            turn.owner = this;
            queue.join(turn, nowNanos, intervalNanos);
        }
        if (turn.index >= 0) {
            long place = queue.place(turn, intervalNanos, toleranceNanos);
            if (place > nowNanos) {
                // Also when called early, such as when a wait was cut short: the attempt keeps its place, no more.
                return place - nowNanos;
            }
            queue.serve(turn, intervalNanos);
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
        turn.slotTake = starts.lastTake();
        return slot - nowNanos;
    }

    /**
     * The attempt of {@code turn} will not start: its connector closed, or stopped waiting. Gives back its place
     * in the queue, so that the turns behind it move up, or the start slot it holds. Harmless for a turn that
     * is not waiting, or that waits under another limiter. A later {@link #waitNanos} queues the turn anew,
     * at the back: call this from the thread that calls waitNanos, after its last call, or the turn may queue
     * again after it left.
     */
    public synchronized void leave(Turn turn) {
        if (turn.owner != this) {
            return;
        }
        if (turn.index >= 0) {
            queue.remove(turn);
        } else if (turn.slotHeld) {
            starts.giveBack(turn.slotTake, intervalNanos);
        }
        turn.end();
    }
}
