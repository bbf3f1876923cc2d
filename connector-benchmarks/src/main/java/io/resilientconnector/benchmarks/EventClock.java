package io.resilientconnector.benchmarks;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Times of events recorded from event loop threads without locks or allocation: a fixed array and an atomic
 * index. Events past its capacity are counted but not timed.
 */
final class EventClock {

    private final long[] times;
    private final AtomicInteger next = new AtomicInteger();

    EventClock(int capacity) {
        times = new long[capacity];
    }

    void record() {
        int i = next.getAndIncrement();
        if (i < times.length) {
            times[i] = System.nanoTime();
        }
    }

    int count() {
        return next.get();
    }

    void clear() {
        next.set(0);
    }

    /** The recorded times, sorted; call once the recording threads are quiet. */
    long[] sorted() {
        long[] copy = Arrays.copyOf(times, Math.min(next.get(), times.length));
        Arrays.sort(copy);
        return copy;
    }

    /** How many of {@code sorted} fall in each {@code bucketNanos} from {@code from} to {@code to}. */
    static int[] buckets(long[] sorted, long from, long to, long bucketNanos) {
        int n = (int) Math.max(1, (to - from + bucketNanos - 1) / bucketNanos);
        int[] counts = new int[n];
        for (long t : sorted) {
            if (t >= from && t <= to) {
                counts[(int) Math.min(n - 1, (t - from) / bucketNanos)]++;
            }
        }
        return counts;
    }
}
