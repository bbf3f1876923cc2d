package io.resilientconnector.internal.connect;

import io.resilientconnector.util.Checks;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses that failed recently, so that the next pass tries them after the others: a connector learns
 * from its failures. An address stays postponed until one of its attempts connects. The model is OkHttp's
 * {@code RouteDatabase}, with a bound: names that resolve to new addresses over a long life would otherwise
 * leave entries behind for good, so past {@link #capacity()} entries the oldest failure is forgotten.
 *
 * <p>Thread-safe; a connector owns one for its life.
 */
public final class RouteDatabase {

    /** Defaults to 256 addresses: far more than a cluster's worth, still a few kilobytes. */
    public static final int DEFAULT_CAPACITY = 256;

    private final int capacity;
    // Guarded by this. Insertion order is failure order: a repeated failure is re-inserted at the end.
    private final LinkedHashMap<InetSocketAddress, Long> failed;
    private long failures;

    public RouteDatabase() {
        this(DEFAULT_CAPACITY);
    }

    public RouteDatabase(int capacity) {
        this.capacity = Checks.inRange(capacity, 1, 1_000_000, "capacity");
        this.failed = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetSocketAddress, Long> eldest) {
                return size() > RouteDatabase.this.capacity;
            }
        };
    }

    /** Records that an attempt to connect to {@code address} failed. */
    public synchronized void failed(InetSocketAddress address) {
        failed.remove(address);
        failed.put(address, ++failures);
    }

    /** Records that an attempt to connect to {@code address} succeeded. */
    public synchronized void connected(InetSocketAddress address) {
        failed.remove(address);
    }

    public synchronized boolean shouldPostpone(InetSocketAddress address) {
        return failed.containsKey(address);
    }

    /**
     * {@code addresses} with those that failed recently moved to the back. The others keep their order; the
     * postponed ones follow, the one that failed longest ago first, as the likeliest to have recovered.
     */
    public synchronized List<InetSocketAddress> postponeFailed(List<InetSocketAddress> addresses) {
        List<InetSocketAddress> fresh = new ArrayList<>(addresses.size());
        List<InetSocketAddress> postponed = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            (failed.containsKey(a) ? postponed : fresh).add(a);
        }
        postponed.sort(Comparator.comparingLong(failed::get));
        fresh.addAll(postponed);
        return fresh;
    }

    public synchronized int size() {
        return failed.size();
    }

    public int capacity() {
        return capacity;
    }

    @Override
    public synchronized String toString() {
        return "RouteDatabase{failed=" + failed.keySet() + '}';
    }
}
