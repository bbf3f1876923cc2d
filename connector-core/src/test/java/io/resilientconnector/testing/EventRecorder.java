package io.resilientconnector.testing;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.Disconnection;
import io.resilientconnector.Endpoint;
import io.resilientconnector.util.ChannelLog;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Records a connector's events as short strings, such as {@code DISCONNECTED PEER_CLOSED} or
 * {@code CONNECT_FAILED CONNECT_REFUSED}, to await in order.
 * Attempts are recorded only by {@link #withAttempts()}, as {@code ATTEMPT_STARTED host:port 127.0.0.1:5000}
 * and {@code ATTEMPT_FAILED host:port 127.0.0.1:5000 CONNECT_REFUSED}; {@code CONNECTED} then names the address.
 */
public class EventRecorder implements ConnectorListener {

    private final BlockingQueue<String> events = new LinkedBlockingQueue<>();
    private final List<Disconnection> disconnections = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<Disconnection> connectFailures = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<List<Disconnection>> connectFailureAttempts = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final List<String> all = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final boolean attempts;

    public EventRecorder() {
        this(false);
    }

    private EventRecorder(boolean attempts) {
        this.attempts = attempts;
    }

    /** A recorder that records attempts too, and the address of each connection. */
    public static EventRecorder withAttempts() {
        return new EventRecorder(true);
    }

    private void add(String event) {
        all.add(event);
        events.add(event);
    }

    /** Every event so far, in order, whether awaited or not. */
    public List<String> all() {
        return List.copyOf(all);
    }

    @Override
    public void attemptStarted(Endpoint endpoint, InetSocketAddress address) {
        if (attempts) {
            add("ATTEMPT_STARTED " + endpoint + " " + ChannelLog.address(address));
        }
    }

    @Override
    public void attemptFailed(Endpoint endpoint, InetSocketAddress address, Disconnection why) {
        if (attempts) {
            add("ATTEMPT_FAILED " + endpoint + " " + ChannelLog.address(address) + " " + why.cause());
        }
    }

    @Override
    public void connected(Channel channel) {
        add(attempts ? "CONNECTED " + ChannelLog.address(channel.remoteAddress()) : "CONNECTED");
    }

    @Override
    public void disconnected(Disconnection why) {
        disconnections.add(why);
        add("DISCONNECTED " + why.cause());
    }

    @Override
    public void connectFailed(Disconnection why, List<Disconnection> attempts) {
        connectFailures.add(why);
        connectFailureAttempts.add(attempts);
        add("CONNECT_FAILED " + why.cause());
    }

    @Override
    public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
        add("RECONNECTING " + attempt);
    }

    @Override
    public void gaveUp(int attempts, Disconnection last) {
        add("GAVE_UP " + attempts);
    }

    @Override
    public void readIdle(Channel channel, int consecutive) {
        add("READ_IDLE " + consecutive);
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

    /** The ends of established connections. */
    public List<Disconnection> disconnections() {
        return disconnections;
    }

    /** The failed attempts' last failures. */
    public List<Disconnection> connectFailures() {
        return connectFailures;
    }

    /** Each failed attempt's list of every address's failure. */
    public List<List<Disconnection>> connectFailureAttempts() {
        return connectFailureAttempts;
    }
}
