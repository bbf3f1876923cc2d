package io.resilientconnector.faultlab;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Disconnection;
import io.resilientconnector.testing.CountingSink;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A {@link ResilientConnector} pointed at a {@link FaultLab}'s peer, with every event time-stamped on
 * arrival ({@link System#nanoTime()}), so that a test can measure how long detection took.
 */
public final class LabClient implements AutoCloseable {

    /** An event and when the listener heard it. */
    public record Timed<T>(long nanos, T value) {
        /** Seconds from {@code startNanos} to this event. */
        public double secondsSince(long startNanos) {
            return (nanos - startNanos) / 1e9;
        }
    }

    private final ResilientConnector connector;
    private final BlockingQueue<Timed<Channel>> connected = new LinkedBlockingQueue<>();
    private final BlockingQueue<Timed<Disconnection>> ended = new LinkedBlockingQueue<>();
    private final List<Timed<Disconnection>> connectFailures = new CopyOnWriteArrayList<>();
    private final List<Timed<Disconnection>> allEnded = new CopyOnWriteArrayList<>();
    private final CountingSink sink = new CountingSink();

    private LabClient(ConnectorOptions options) {
        this.connector = ResilientConnector.builder(options)
                .handler(sink)
                .random(new Random(4))
                .listener(new ConnectorListener() {
                    @Override
                    public void connected(Channel channel) {
                        connected.add(new Timed<>(System.nanoTime(), channel));
                    }

                    @Override
                    public void disconnected(Disconnection why) {
                        Timed<Disconnection> event = new Timed<>(System.nanoTime(), why);
                        allEnded.add(event);
                        ended.add(event);
                    }

                    @Override
                    public void connectFailed(Disconnection why, java.util.List<Disconnection> attempts) {
                        connectFailures.add(new Timed<>(System.nanoTime(), why));
                    }
                })
                .build();
    }

    /** Builds and starts a connector with {@code options}, whose endpoint should be the lab's peer. */
    public static LabClient start(ConnectorOptions options) {
        LabClient client = new LabClient(options);
        client.connector.start();
        return client;
    }

    public ResilientConnector connector() {
        return connector;
    }

    /** The next connection that comes up, or an {@link AssertionError} after {@code timeout}. */
    public Timed<Channel> awaitConnected(Duration timeout) throws InterruptedException {
        Timed<Channel> c = connected.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (c == null) {
            throw new AssertionError("no connection within " + timeout + "; connect failures: " + connectFailures);
        }
        return c;
    }

    /**
     * The next end of an established connection (failed connects are not counted), or an
     * {@link AssertionError} after {@code timeout}.
     */
    public Timed<Disconnection> awaitEnded(Duration timeout) throws InterruptedException {
        Timed<Disconnection> d = pollEnded(timeout);
        if (d == null) {
            throw new AssertionError("the connection did not end within " + timeout + " (state "
                    + connector.state() + ")");
        }
        return d;
    }

    /** The next end of an established connection, or {@code null} if none within {@code timeout}. */
    public Timed<Disconnection> pollEnded(Duration timeout) throws InterruptedException {
        return ended.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Every end of an established connection so far. */
    public List<Timed<Disconnection>> endedConnections() {
        return new ArrayList<>(allEnded);
    }

    /** Every failed connect attempt so far. */
    public List<Timed<Disconnection>> connectFailures() {
        return new ArrayList<>(connectFailures);
    }

    /** When the application last read bytes, or 0. */
    public long lastReadNanos() {
        return sink.lastReadNanos();
    }

    public long bytesRead() {
        return sink.bytes();
    }

    @Override
    public void close() {
        connector.close();
    }
}
