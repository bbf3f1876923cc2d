package io.resilientconnector.internal.session;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.DefaultMessageSizeEstimator;
import io.netty.channel.MessageSizeEstimator;
import io.netty.util.ReferenceCountUtil;
import io.resilientconnector.SendRejectedException;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The messages handed to a connector, on their way to the socket. While there is a connection and its channel
 * is writable, they are written; otherwise they wait, in order, in a bounded queue, and go on when the channel
 * becomes writable again ({@link #writabilityChanged}) or the next connection is ready ({@link #connected}).
 * Netty's own writability, driven by the channel's write-buffer water marks, is the only flow control.
 *
 * <p>Messages from other threads go through the queue and are written by one task on the event loop, under
 * one flush per batch, so a thread that sends many small messages pays one wake-up of the event loop per
 * batch, not one per message. The queue is created on the first message that has to wait.
 *
 * <p>Every message either reaches the socket (its future completes) or its future fails with the reason.
 * Thread-safe.
 */
public final class PendingSends implements Runnable {

    private static final MessageSizeEstimator.Handle SIZES = DefaultMessageSizeEstimator.DEFAULT.newHandle();
    /** Messages written per pass of the drain before writability is looked at again. */
    private static final int BATCH = 64;

    private final int maxMessages;
    private final long maxBytes;
    private final Consumer<SendRejectedException> rejections;
    // Guarded by this.
    private ArrayDeque<Send> queue;
    private long bytes;
    private Channel channel;
    private boolean drainScheduled;
    private SendRejectedException terminal;

    /** @param rejections told of every message rejected, after its future has failed; it must not throw */
    public PendingSends(int maxMessages, long maxBytes, Consumer<SendRejectedException> rejections) {
        this.maxMessages = maxMessages;
        this.maxBytes = maxBytes;
        this.rejections = rejections;
    }

    /**
     * Takes {@code message}, releasing it if it is rejected.
     *
     * @param state for the message of a {@code BUFFER_FULL} rejection
     */
    public CompletableFuture<Void> send(Object message, Object state) {
        Send send = new Send(message, Math.max(0, SIZES.size(message)));
        SendRejectedException rejected;
        Channel writeNow = null;
        boolean schedule = false;
        synchronized (this) {
            rejected = terminal;
            if (rejected == null) {
                Channel ch = channel;
                boolean empty = queue == null || queue.isEmpty();
                if (ch != null && empty && ch.isWritable() && (ch.eventLoop().inEventLoop() || maxMessages == 0)) {
                    writeNow = ch;
                } else if (size() >= maxMessages || bytes + send.size > maxBytes && !(empty && ch != null)) {
                    // A message larger than the byte limit may still pass through an empty queue to a connection
                    // (it is written at once); it may not wait for one.
                    rejected = new SendRejectedException(SendRejectedException.Reason.BUFFER_FULL, empty
                            && send.size > maxBytes
                            ? "message of " + send.size + " bytes is larger than maxPendingBytes " + maxBytes
                                    + ", so it cannot wait for a connection; state " + state
                            : "pending-send buffer full: " + size() + " messages, " + bytes
                                    + " bytes waiting (limits: maxPendingMessages " + maxMessages
                                    + ", maxPendingBytes " + maxBytes + "); state " + state);
                } else {
                    if (queue == null) {
                        queue = new ArrayDeque<>();
                    }
                    queue.add(send);
                    bytes += send.size;
                    if (ch != null && !drainScheduled) {
                        drainScheduled = true;
                        schedule = true;
                        writeNow = ch;
                    }
                }
            }
        }
        if (rejected != null) {
            ReferenceCountUtil.release(message);
            send.completeExceptionally(rejected);
            rejections.accept(rejected);
        } else if (schedule) {
            writeNow.eventLoop().execute(this);
        } else if (writeNow != null) {
            writeNow.writeAndFlush(message).addListener(send);
        }
        return send;
    }

    /** {@code ch} is ready: what waits is written to it. Event loop of {@code ch}. */
    public void connected(Channel ch) {
        synchronized (this) {
            channel = ch;
        }
        drain(ch);
    }

    /** {@code ch} is over; messages wait for the next connection. */
    public synchronized void disconnected(Channel ch) {
        if (channel == ch) {
            channel = null;
        }
    }

    /** {@code ch} became writable, or not. Event loop of {@code ch}. */
    public void writabilityChanged(Channel ch) {
        if (ch.isWritable()) {
            drain(ch);
        }
    }

    /** The number of messages waiting. */
    public synchronized int size() {
        return queue == null ? 0 : queue.size();
    }

    /** The bytes waiting. */
    public synchronized long bytes() {
        return bytes;
    }

    /**
     * Fails every waiting message, and every later one, with {@code why}: the connector will never write them.
     * Returns how many were waiting.
     */
    public int failAll(SendRejectedException why) {
        List<Send> failed;
        synchronized (this) {
            terminal = why;
            channel = null;
            failed = queue == null ? List.of() : new ArrayList<>(queue);
            queue = null;
            bytes = 0;
        }
        for (Send send : failed) {
            ReferenceCountUtil.release(send.message);
            send.completeExceptionally(why);
            rejections.accept(why);
        }
        return failed.size();
    }

    /** The drain task, run on the event loop for messages sent from other threads. */
    @Override
    public void run() {
        Channel ch;
        synchronized (this) {
            drainScheduled = false;
            ch = channel;
        }
        if (ch != null) {
            drain(ch);
        }
    }

    /**
     * Writes what waits to {@code ch} while it is the current channel and stays writable, flushing after each
     * batch. Event loop of {@code ch}. A flush can complete writes, and their futures' callbacks can send more,
     * before it returns; those join the queue, which this loop then empties too.
     */
    private void drain(Channel ch) {
        Send[] batch = new Send[BATCH];
        while (true) {
            int n = 0;
            synchronized (this) {
                if (channel != ch || queue == null || !ch.isActive()) {
                    return;
                }
                while (n < BATCH && !queue.isEmpty() && (n == 0 ? ch.isWritable() : true)) {
                    Send next = queue.poll();
                    bytes -= next.size;
                    batch[n++] = next;
                }
            }
            if (n == 0) {
                return;
            }
            for (int i = 0; i < n; i++) {
                ch.write(batch[i].message).addListener(batch[i]);
                batch[i] = null;
            }
            ch.flush();
        }
    }

    /** A message on its way, and its future; it completes the future from the write's outcome. */
    private static final class Send extends CompletableFuture<Void> implements ChannelFutureListener {
        final Object message;
        final int size;

        Send(Object message, int size) {
            this.message = message;
            this.size = size;
        }

        @Override
        public void operationComplete(ChannelFuture future) {
            if (future.isSuccess()) {
                complete(null);
            } else {
                completeExceptionally(future.cause());
            }
        }
    }
}
