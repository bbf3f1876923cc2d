package io.resilientconnector.testing;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.cause.Disconnection;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** Records a connector's events as short strings, such as {@code DISCONNECTED PEER_CLOSED}, to await in order. */
public class EventRecorder implements ConnectorListener {

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<Disconnection> disconnections = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public void connected(Channel channel) {
        events.add("CONNECTED");
    }

    @Override
    public void disconnected(Disconnection why) {
        disconnections.add(why);
        events.add("DISCONNECTED " + why.cause());
    }

    @Override
    public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
        events.add("RECONNECTING " + attempt);
    }

    @Override
    public void gaveUp(int attempts, Disconnection last) {
        events.add("GAVE_UP " + attempts);
    }

    @Override
    public void readIdle(Channel channel, int consecutive) {
        events.add("READ_IDLE " + consecutive);
    }

    /** Waits for the next event that starts with {@code prefix}, skipping others; fails after {@code timeout}. */
    public String await(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        List<String> skipped = new ArrayList<>();
        while (true) {
            long left = deadline - System.nanoTime();
            String next = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            if (next == null) {
                throw new AssertionError("no event starting with \"" + prefix + "\" within " + timeout
                        + "; saw " + skipped);
            }
            if (next.startsWith(prefix)) {
                return next;
            }
            skipped.add(next);
        }
    }

    /** The next event, or {@code null} if none arrives within {@code timeout}. */
    public String poll(Duration timeout) throws InterruptedException {
        return events.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    public List<Disconnection> disconnections() {
        return disconnections;
    }
}
