package io.resilientconnector;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;
import io.resilientconnector.util.LogText;

import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * An application-level heartbeat: after {@link #idle()} without reading anything, the connector writes a
 * probe, such as {@code PING\r\n}, an MQTT PINGREQ or a Redis PING, and expects a reply within
 * {@link #timeout()}. No reply closes the connection as
 * {@link DisconnectCause#UNRESPONSIVE}. Off unless set: a connector cannot invent a
 * protocol's ping.
 *
 * <pre>{@code
 * ConnectorOptions options = ConnectorOptions.builder()
 *         .endpoint("cache.internal", 6379)
 *         .heartbeat(HeartbeatOptions.builder().probe("PING\r\n")
 *                 .reply(buf -> buf.toString(US_ASCII).startsWith("+PONG"))
 *                 .idle(Duration.ofSeconds(30)).timeout(Duration.ofSeconds(10)).build())
 *         .build();
 * }</pre>
 *
 * <p>It is what sees past a proxy or a load balancer: keepalive, the user timeout and the write-stall watchdog
 * only ever prove that the next hop's kernel is there, while a reply proves that the peer application is. It
 * probes after read silence whatever is being written, so a connection that only writes is covered too.
 *
 * <p>The timeout counts from when the probe was written to the socket, not from when it was queued: a probe
 * stuck behind queued writes that never drain is the write-stall watchdog's to report ({@code STALLED}).
 * Where the kernel reports acknowledgements (TCP_INFO on epoll and io_uring; {@code /proc/net/tcp} for NIO on
 * Linux), the timeout also waits while the bytes queued ahead of the probe are still being acknowledged, so
 * a slow but healthy link or peer is never taken for a dead one; the disconnection then also says whether the
 * next hop acknowledged the probe. Without an answer from the kernel, the bound is simply idle + timeout.
 *
 * <p>A new connection starts the heartbeat afresh; the first probe goes out no sooner than {@code idle}
 * after the connection is ready, or, with {@link Builder#startWhenSignalled()}, after the application calls
 * {@link #start(Channel)} (for protocols that need a login first).
 */
public final class HeartbeatOptions {

    /** Defaults to 30 seconds. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(30);
    /** Defaults to 10 seconds. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    /** The longest idle period or timeout accepted: a day. */
    public static final Duration MAX_DURATION = Duration.ofDays(1);
    /** The shortest idle period or timeout accepted: 100 ms, twice the connection timer's grid. */
    public static final Duration MIN_DURATION = Duration.ofMillis(100);
    /** The longest probe accepted in bytes. */
    public static final int MAX_PROBE_BYTES = 65536;
    /** The event {@link #start(Channel)} fires. */
    public static final Object START = new Object() {
        @Override
        public String toString() {
            return "HeartbeatOptions.START";
        }
    };

    private final Supplier<?> probe;
    private final String probeDescription;
    private final Predicate<ByteBuf> reply;
    private final Duration idle;
    private final Duration timeout;
    private final boolean startWhenSignalled;

    private HeartbeatOptions(Builder b) {
        this.probe = b.probe;
        this.probeDescription = b.probeDescription;
        this.reply = b.reply;
        this.idle = b.idle;
        this.timeout = b.timeout;
        this.startWhenSignalled = b.startWhenSignalled;
    }

    public static Builder builder() {
        return new Builder();
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.probe = probe;
        b.probeDescription = probeDescription;
        b.reply = reply;
        b.idle = idle;
        b.timeout = timeout;
        b.startWhenSignalled = startWhenSignalled;
        return b;
    }

    /**
     * Starts the heartbeat on {@code channel}, for a connector built with {@link Builder#startWhenSignalled()}:
     * call it from the application's handler once the protocol's handshake or login is done. It does nothing
     * on a connection whose heartbeat started already.
     */
    public static void start(Channel channel) {
        // From the head of the pipeline, so that the connector's handler, before the application's, sees it.
        channel.pipeline().fireUserEventTriggered(START);
    }

    /** A new probe message, for one probe. */
    public Object newProbe() {
        return probe.get();
    }

    /** What counts as a reply, or {@code null}: any bytes received. */
    public Predicate<ByteBuf> reply() {
        return reply;
    }

    public Duration idle() {
        return idle;
    }

    public Duration timeout() {
        return timeout;
    }

    /** Whether probing waits for {@link #start(Channel)} rather than starting when the connection is ready. */
    public boolean startWhenSignalled() {
        return startWhenSignalled;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof HeartbeatOptions)) {
            return false;
        }
        HeartbeatOptions that = (HeartbeatOptions) o;
        return probe.equals(that.probe) && Objects.equals(reply, that.reply) && idle.equals(that.idle)
                && timeout.equals(that.timeout) && startWhenSignalled == that.startWhenSignalled;
    }

    @Override
    public int hashCode() {
        return Objects.hash(probe, reply, idle, timeout, startWhenSignalled);
    }

    /** For example {@code HeartbeatOptions{probe="PING\r\n", reply=any bytes, idle=30s, timeout=10s}}. */
    @Override
    public String toString() {
        return "HeartbeatOptions{probe=" + probeDescription + ", reply=" + (reply == null ? "any bytes" : "a predicate")
                + ", idle=" + Durations.format(idle) + ", timeout=" + Durations.format(timeout)
                + (startWhenSignalled ? ", starts when signalled" : "") + '}';
    }

    /** Bytes written afresh for every probe; equal when the bytes are. */
    private static final class BytesProbe implements Supplier<ByteBuf> {
        private final byte[] bytes;

        BytesProbe(byte[] bytes) {
            this.bytes = bytes;
        }

        @Override
        public ByteBuf get() {
            return Unpooled.wrappedBuffer(bytes.clone());
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof BytesProbe && Arrays.equals(bytes, ((BytesProbe) o).bytes);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(bytes);
        }
    }

    public static final class Builder {
        private Supplier<?> probe;
        private String probeDescription;
        private Predicate<ByteBuf> reply;
        private Duration idle = DEFAULT_IDLE;
        private Duration timeout = DEFAULT_TIMEOUT;
        private boolean startWhenSignalled;

        private Builder() {
        }

        /** The probe's bytes, written as they are; 1..65536 bytes. Required, or {@link #probe(Supplier)}. */
        public Builder probe(byte[] bytes) {
            Checks.notNull(bytes, "heartbeat.probe");
            if (bytes.length == 0 || bytes.length > MAX_PROBE_BYTES) {
                throw Checks.invalid("heartbeat.probe", bytes.length + " bytes", "1.." + MAX_PROBE_BYTES + " bytes");
            }
            byte[] copy = bytes.clone();
            this.probe = new BytesProbe(copy);
            this.probeDescription = '"' + LogText.escape(new String(copy, java.nio.charset.StandardCharsets.ISO_8859_1)) + '"';
            return this;
        }

        /** The probe as text in US-ASCII, such as {@code "PING\r\n"}. */
        public Builder probe(String text) {
            Checks.notNull(text, "heartbeat.probe");
            return probe(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }

        /**
         * Makes each probe message, for protocols whose ping is a message the application's encoders turn into
         * bytes, such as an MQTT PINGREQ. It is written from the end of the pipeline, through those encoders.
         */
        public Builder probe(Supplier<?> messages) {
            this.probe = Checks.notNull(messages, "heartbeat.probe");
            this.probeDescription = "a message supplier";
            return this;
        }

        /**
         * What counts as the reply: a predicate on the bytes as they are received (after TLS, before the
         * application's decoders). A reply split over two reads is seen as two buffers. Defaults to any bytes.
         */
        public Builder reply(Predicate<ByteBuf> reply) {
            this.reply = Checks.notNull(reply, "heartbeat.reply");
            return this;
        }

        /** Read silence before a probe: 100 ms..24 h. Defaults to {@link #DEFAULT_IDLE}. */
        public Builder idle(Duration idle) {
            this.idle = range(idle, "heartbeat.idle");
            return this;
        }

        /** How long a written probe waits for its reply: 100 ms..24 h, shorter than idle. Defaults to {@link #DEFAULT_TIMEOUT}. */
        public Builder timeout(Duration timeout) {
            this.timeout = range(timeout, "heartbeat.timeout");
            return this;
        }

        /** Probing waits for {@link HeartbeatOptions#start(Channel)} on each connection. */
        public Builder startWhenSignalled() {
            this.startWhenSignalled = true;
            return this;
        }

        /** Probing starts when the connection is ready (the default). */
        public Builder startOnConnect() {
            this.startWhenSignalled = false;
            return this;
        }

        /** @throws IllegalStateException if no probe is set, or the timeout is not shorter than idle */
        public HeartbeatOptions build() {
            Checks.state(probe != null, "heartbeat.probe: not set (expected: probe(bytes), probe(text) or probe(supplier))");
            Checks.state(timeout.compareTo(idle) < 0, "heartbeat.timeout: " + Durations.format(timeout)
                    + " is not shorter than heartbeat.idle: " + Durations.format(idle) + " (expected: timeout < idle)");
            return new HeartbeatOptions(this);
        }

        private static Duration range(Duration value, String name) {
            Checks.notNull(value, name);
            if (value.compareTo(MIN_DURATION) < 0 || value.compareTo(MAX_DURATION) > 0) {
                throw Checks.invalid(name, Durations.format(value),
                        Durations.format(MIN_DURATION) + ".." + Durations.format(MAX_DURATION));
            }
            return value;
        }
    }
}
