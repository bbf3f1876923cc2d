package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.Disconnection;
import io.resilientconnector.Endpoint;
import io.resilientconnector.TcpStats;
import io.resilientconnector.Unacknowledged;

import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * Prints one line per event, event name first in capitals, for people and for {@code grep}:
 * {@code CONNECTED}, {@code RECEIVED}, {@code READ_IDLE}, {@code DISCONNECTED} (an established connection ended),
 * {@code ATTEMPT_FAILED} (one address), {@code CONNECT_FAILED} (the whole attempt), {@code RECONNECTING} and
 * {@code GAVE_UP}; {@link SendFailures} adds {@code SEND_FAILED}. Connection lines name the address used.
 * Everything a peer or a user sent is escaped, so it cannot forge a line.
 */
final class EventPrinter implements ConnectorListener {

    /** The most received bytes shown per read; longer reads end with {@code ...}. */
    static final int PREVIEW_BYTES = 1024;

    private final PrintWriter out;
    private final Duration readIdlePeriod;
    private final Runnable onGaveUp;
    private volatile long connectedAtNanos = -1;
    private volatile Supplier<Endpoint> endpoint;

    /**
     * @param readIdlePeriod the connector's read-idle period, to say how long reads were idle
     * @param onGaveUp    run after {@code GAVE_UP} is printed
     */
    EventPrinter(PrintWriter out, Duration readIdlePeriod, Runnable onGaveUp) {
        this.out = out;
        this.readIdlePeriod = readIdlePeriod;
        this.onGaveUp = onGaveUp;
    }

    /** Where the connector is, for {@code CONNECTED} lines when there are several endpoints; {@code null} leaves it out. */
    void endpoints(Supplier<Endpoint> current) {
        this.endpoint = current;
    }

    @Override
    public void connected(Channel channel) {
        connectedAtNanos = System.nanoTime();
        Supplier<Endpoint> current = endpoint;
        Endpoint e = current == null ? null : current.get();
        print("CONNECTED remote=" + Text.address(channel.remoteAddress()) + " local=" + Text.address(channel.localAddress())
                + " id=" + channel.id().asShortText() + (e == null ? "" : " endpoint=" + e));
    }

    @Override
    public void attemptFailed(Endpoint endpoint, InetSocketAddress address, Disconnection why) {
        print("ATTEMPT_FAILED endpoint=" + endpoint + " remote=" + Text.address(address) + " " + describe(why));
    }

    @Override
    public void disconnected(Disconnection why) {
        StringBuilder line = new StringBuilder("DISCONNECTED ").append(describe(why));
        long since = connectedAtNanos;
        if (since >= 0) {
            line.append(" up=").append(Text.duration(Duration.ofNanos(System.nanoTime() - since)));
            connectedAtNanos = -1;
        }
        if (why.remoteAddress() != null) {
            line.append(" remote=").append(Text.address(why.remoteAddress()));
        }
        appendKernelView(line, why);
        print(line.toString());
    }

    /** The attempt's last failure, and how many addresses failed; each has had its own ATTEMPT_FAILED line. */
    @Override
    public void connectFailed(Disconnection why, List<Disconnection> attempts) {
        StringBuilder line = new StringBuilder("CONNECT_FAILED ").append(describe(why));
        if (why.remoteAddress() != null) {
            line.append(" remote=").append(Text.address(why.remoteAddress()));
        }
        print(line.append(" failures=").append(attempts.size()).toString());
    }

    @Override
    public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
        print("RECONNECTING attempt=" + attempt + " delay=" + Text.duration(delay));
    }

    @Override
    public void gaveUp(int attempts, Disconnection last) {
        print("GAVE_UP attempts=" + attempts + " last " + describe(last));
        onGaveUp.run();
    }

    @Override
    public void readIdle(Channel channel, int consecutive) {
        print("READ_IDLE idle=" + Text.duration(readIdlePeriod.multipliedBy(consecutive)) + " consecutive=" + consecutive);
    }

    /** What the connection delivered; the caller keeps ownership of {@code data}. */
    void received(ByteBuf data) {
        print("RECEIVED " + data.readableBytes() + " bytes: " + Text.preview(data, PREVIEW_BYTES));
    }

    /** A line that is not about the connection, such as the demo server's address. */
    void info(String event, String text) {
        print(event + " " + text);
    }

    /** Prints {@code line} whole, never interleaved with another. */
    synchronized void print(String line) {
        out.println(line);
        out.flush();
    }

    /**
     * How long nothing had been read, and what TCP_INFO said at the end, where known: {@code since_last_read=3.5s
     * rtt=45us rttvar=20us retransmits=4 total_retrans=5 lost=2 probes=0 last_recv=3.5s last_sent=92ms}. A sample
     * taken before the end says how long before, as {@code tcp_info_age=5s}: its {@code last_recv} counts from
     * then, not from the end as {@code since_last_read} does.
     */
    static void appendKernelView(StringBuilder s, Disconnection why) {
        if (why.sinceLastRead() != null) {
            s.append(" since_last_read=").append(approx(why.sinceLastRead()));
        }
        TcpStats tcp = why.tcpInfo();
        if (tcp == null || !tcp.known()) {
            return;
        }
        if (tcp.age() != null && tcp.age().toMillis() > 0) {
            s.append(" tcp_info_age=").append(approx(tcp.age()));
        }
        appendIfKnown(s, "rtt", tcp.rtt());
        appendIfKnown(s, "rttvar", tcp.rttVariance());
        appendIfKnown(s, "retransmits", tcp.retransmits());
        appendIfKnown(s, "total_retrans", tcp.totalRetransmissions());
        appendIfKnown(s, "lost", tcp.lost());
        appendIfKnown(s, "probes", tcp.probes());
        appendIfKnown(s, "last_recv", tcp.sinceLastReceived());
        appendIfKnown(s, "last_sent", tcp.sinceLastSent());
    }

    private static void appendIfKnown(StringBuilder s, String key, Duration value) {
        if (value != null) {
            s.append(' ').append(key).append('=').append(approx(value));
        }
    }

    private static void appendIfKnown(StringBuilder s, String key, long value) {
        if (value >= 0) {
            s.append(' ').append(key).append('=').append(value);
        }
    }

    /** {@code 45us} below a millisecond, as loopback round trips are, {@code 850ms}, then {@code 3.5s}. */
    private static String approx(Duration d) {
        long micros = d.toNanos() / 1000;
        return micros < 1000 ? micros + "us" : Text.duration(d);
    }

    /**
     * {@code cause=... errno=...}, the errno by its symbolic name and only where the transport reports one, with
     * the detail, the bytes the peer never acknowledged where the transport knows them, and, where no errno says
     * it, the error.
     */
    static String describe(Disconnection why) {
        StringBuilder s = new StringBuilder("cause=").append(why.cause());
        if (why.errno() != null) {
            s.append(" errno=").append(why.errno());
        }
        if (why.detail() != null) {
            s.append(" detail=\"").append(Text.escape(why.detail())).append('"');
        }
        Unacknowledged lost = why.unacknowledged();
        if (lost != null && lost.known() && lost.bytes() > 0) {
            // Bytes whose sends had completed but which the peer never acknowledged: possibly never delivered.
            s.append(" unacknowledged_bytes=").append(lost.bytes());
        }
        Throwable e = why.exception();
        if (e != null && why.errno() == null) {
            // Without an errno (NIO, timeouts, resolution) the exception is the only account of what happened.
            s.append(" error=\"").append(Text.escape(Text.error(e))).append('"');
        }
        return s.toString();
    }

}
