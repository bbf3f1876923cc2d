package io.resilientconnector.faultlab;

import io.netty.buffer.Unpooled;
import io.resilientconnector.ResilientConnector;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends numbered lines ({@code 17:xxxx...\n}, all the same size) through a connector at a steady rate and
 * remembers every send future, so that a test can account for each message: received by the peer, failed
 * explicitly, or written to a socket that then died with it unacknowledged.
 */
public final class NumberedWriter implements AutoCloseable {

    private final ResilientConnector connector;
    private final int messageBytes;
    private final ScheduledExecutorService timer;
    private final List<CompletableFuture<Void>> futures = new ArrayList<>();
    private final AtomicLong lastWrittenNanos = new AtomicLong();

    private NumberedWriter(ResilientConnector connector, int messageBytes, Duration period, int perTick) {
        this.connector = connector;
        this.messageBytes = messageBytes;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "numbered-writer");
            t.setDaemon(true);
            return t;
        });
        timer.scheduleAtFixedRate(() -> {
            for (int i = 0; i < perTick; i++) {
                sendNext();
            }
        }, 0, period.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Starts sending {@code perTick} messages of {@code messageBytes} (at least 16) every {@code period}, for
     * a rate of {@code perTick × messageBytes / period}.
     */
    public static NumberedWriter start(ResilientConnector connector, int messageBytes, Duration period, int perTick) {
        if (messageBytes < 16) {
            throw new IllegalArgumentException("messageBytes: " + messageBytes + " (expected: >= 16)");
        }
        return new NumberedWriter(connector, messageBytes, period, perTick);
    }

    private void sendNext() {
        int n;
        synchronized (futures) {
            n = futures.size();
        }
        byte[] line = new byte[messageBytes];
        Arrays.fill(line, (byte) 'x');
        byte[] number = (n + ":").getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(number, 0, line, 0, number.length);
        line[messageBytes - 1] = '\n';
        CompletableFuture<Void> f = connector.send(Unpooled.wrappedBuffer(line));
        f.whenComplete((ok, error) -> {
            if (error == null) {
                lastWrittenNanos.accumulateAndGet(System.nanoTime(), Math::max);
            }
        });
        synchronized (futures) {
            futures.add(f);
        }
    }

    /** Stops sending; messages already handed to the connector go on. */
    public void stop() throws InterruptedException {
        timer.shutdown();
        if (!timer.awaitTermination(10, TimeUnit.SECONDS)) {
            throw new AssertionError("the writer did not stop within 10s");
        }
    }

    public int messageBytes() {
        return messageBytes;
    }

    /** How many messages were handed to the connector so far; message {@code n} is the {@code n}th. */
    public int sent() {
        synchronized (futures) {
            return futures.size();
        }
    }

    /** When a send future last completed successfully, that is when the socket last took a whole message. */
    public long lastWrittenNanos() {
        return lastWrittenNanos.get();
    }

    /** Waits until every send future has completed, one way or the other. */
    public void awaitAllSettled(Duration timeout) throws InterruptedException, TimeoutException {
        List<CompletableFuture<Void>> all;
        synchronized (futures) {
            all = new ArrayList<>(futures);
        }
        try {
            CompletableFuture.allOf(all.stream().map(f -> f.exceptionally(e -> null))
                    .toArray(CompletableFuture[]::new)).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Every message by its fate. Call after {@link #stop()} and {@link #awaitAllSettled}.
     *
     * @param received the numbers the peer received complete
     */
    public Accounting account(BitSet received) {
        BitSet written = new BitSet();
        BitSet failed = new BitSet();
        BitSet pending = new BitSet();
        List<Throwable> reasons = new ArrayList<>();
        synchronized (futures) {
            for (int i = 0; i < futures.size(); i++) {
                CompletableFuture<Void> f = futures.get(i);
                if (!f.isDone()) {
                    pending.set(i);
                } else if (f.isCompletedExceptionally()) {
                    failed.set(i);
                    f.exceptionally(e -> {
                        if (reasons.size() < 5 && reasons.stream().noneMatch(r -> r.getClass() == e.getClass())) {
                            reasons.add(e);
                        }
                        return null;
                    });
                } else {
                    written.set(i);
                }
            }
            return new Accounting(futures.size(), messageBytes, received, written, failed, pending, reasons);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }

    /** The fate of every message a {@link NumberedWriter} sent. */
    public record Accounting(int sent, int messageBytes, BitSet received, BitSet written, BitSet failed,
                             BitSet pending, List<Throwable> failureKinds) {

        /** Written to a socket (the future completed) but never received: lost with a dead connection. */
        public BitSet writtenButLost() {
            BitSet lost = (BitSet) written.clone();
            lost.andNot(received);
            return lost;
        }

        /** Failed explicitly, yet received: a contradiction, because a failed send never reached the socket whole. */
        public BitSet failedButReceived() {
            BitSet both = (BitSet) failed.clone();
            both.and(received);
            return both;
        }

        /** Received, though never sent: the peer saw something this writer did not write. */
        public BitSet receivedButNeverSent() {
            BitSet extra = (BitSet) received.clone();
            extra.clear(0, sent);
            return extra;
        }

        @Override
        public String toString() {
            return "sent=" + sent + " received=" + received.cardinality() + " failed=" + failed.cardinality()
                    + " writtenButLost=" + writtenButLost().cardinality() + " pending=" + pending.cardinality();
        }
    }
}
