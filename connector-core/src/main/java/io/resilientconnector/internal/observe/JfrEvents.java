package io.resilientconnector.internal.observe;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.TcpStats;
import io.resilientconnector.Unacknowledged;
import jdk.jfr.Category;
import jdk.jfr.DataAmount;
import jdk.jfr.Description;
import jdk.jfr.Event;
import jdk.jfr.Label;
import jdk.jfr.Name;
import jdk.jfr.StackTrace;
import jdk.jfr.Timespan;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * A connector's life as JDK Flight Recorder events, in the category {@value #CATEGORY}: connect attempts,
 * connections, disconnections with what the kernel knew at the end, scheduled reconnects, giving up, and
 * heartbeat timeouts. Events carry no stack traces. Each event is created only if its type is enabled in a
 * running recording, so a connector costs nothing extra when nobody records.
 *
 * <p>Built only where the {@code jdk.jfr} module is present ({@link #AVAILABLE}); a runtime image without it
 * never loads this class.
 *
 * <p>Told by the connector's session what each end was ({@link SessionObserver}); reconnects and giving up it
 * hears as a {@linkplain #listener() listener}. Both on the connector's event loop, where one attempt is under
 * way at a time.
 */
public final class JfrEvents implements SessionObserver {

    /** The events' category, as {@code jfr print --categories} takes it. */
    public static final String CATEGORY = "Resilient Connector";
    /** Whether this runtime has the {@code jdk.jfr} module. */
    public static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.jfr").isPresent();

    private final String endpoint;
    // Confined to the event loop.
    private ConnectAttempt attempt;

    private final ConnectorListener listener = new ConnectorListener() {
        @Override
        public void reconnectScheduled(int attemptNumber, Duration delay, Disconnection after) {
            JfrEvents.this.reconnectScheduled(attemptNumber, delay, after);
        }

        @Override
        public void gaveUp(int attempts, Disconnection last) {
            JfrEvents.this.gaveUp(attempts, last);
        }
    };

    /** @param endpoint the server address as configured, which every event names */
    public JfrEvents(Object endpoint) {
        this.endpoint = String.valueOf(endpoint);
    }

    /** Records the events the session's observers are not told: scheduled reconnects and giving up. */
    public ConnectorListener listener() {
        return listener;
    }

    @Override
    public void attemptStarting() {
        ConnectAttempt event = new ConnectAttempt();
        if (event.isEnabled()) {
            event.begin();
            attempt = event;
        } else {
            attempt = null;
        }
    }

    @Override
    public void connected(Channel channel) {
        ConnectAttempt a = attempt;
        attempt = null;
        if (a != null) {
            a.end();
            if (a.shouldCommit()) {
                a.endpoint = endpoint;
                a.outcome = "CONNECTED";
                a.connectionId = channel.id().asShortText();
                a.remoteAddress = address(channel.remoteAddress());
                a.commit();
            }
        }
        Connected event = new Connected();
        if (event.shouldCommit()) {
            event.endpoint = endpoint;
            event.connectionId = channel.id().asShortText();
            event.remoteAddress = address(channel.remoteAddress());
            event.localAddress = address(channel.localAddress());
            event.commit();
        }
    }

    /** A failed attempt is its ConnectAttempt event; Disconnected is about established connections. */
    @Override
    public void connectFailed(Disconnection why) {
        ConnectAttempt a = attempt;
        if (a != null) {
            attempt = null;
            a.end();
            if (a.shouldCommit()) {
                a.endpoint = endpoint;
                a.outcome = "FAILED";
                a.cause = why.cause().name();
                a.errno = why.errno();
                a.connectionId = why.connectionId();
                a.remoteAddress = address(why.remoteAddress());
                a.commit();
            }
        }
    }

    /**
     * The end of an established connection, the current one or one a failback replaced, is a Disconnected event,
     * and leaves an attempt under way alone.
     */
    @Override
    public void ended(Disconnection why, boolean wasCurrent, long connectedNanos) {
        Disconnected event = new Disconnected();
        if (event.shouldCommit()) {
            event.endpoint = endpoint;
            event.connectionId = why.connectionId();
            event.remoteAddress = address(why.remoteAddress());
            event.cause = why.cause().name();
            event.errno = why.errno();
            event.detail = why.detail();
            event.detectionLatency = nanos(why.sinceLastRead());
            Unacknowledged u = why.unacknowledged();
            event.unacknowledgedBytes = u != null && u.known() ? u.bytes() : -1;
            TcpStats tcp = why.tcpInfo();
            if (tcp != null && tcp.known()) {
                event.rtt = nanos(tcp.rtt());
                event.rttVariance = nanos(tcp.rttVariance());
                event.retransmits = tcp.retransmits();
                event.totalRetransmissions = tcp.totalRetransmissions();
                event.lost = tcp.lost();
                event.probes = tcp.probes();
                event.sinceLastReceived = nanos(tcp.sinceLastReceived());
                event.sinceLastSent = nanos(tcp.sinceLastSent());
            } else {
                event.rtt = event.rttVariance = event.sinceLastReceived = event.sinceLastSent = -1;
                event.retransmits = event.probes = -1;
                event.totalRetransmissions = event.lost = -1;
            }
            event.commit();
        }
        if (why.cause() == DisconnectCause.UNRESPONSIVE) {
            HeartbeatTimeout timeout = new HeartbeatTimeout();
            if (timeout.shouldCommit()) {
                timeout.endpoint = endpoint;
                timeout.connectionId = why.connectionId();
                timeout.remoteAddress = address(why.remoteAddress());
                timeout.detail = why.detail();
                timeout.detectionLatency = nanos(why.sinceLastRead());
                timeout.commit();
            }
        }
    }

    private void reconnectScheduled(int attemptNumber, Duration delay, Disconnection after) {
        ReconnectScheduled event = new ReconnectScheduled();
        if (event.shouldCommit()) {
            event.endpoint = endpoint;
            event.attempt = attemptNumber;
            event.delay = delay.toNanos();
            event.cause = after.cause().name();
            event.commit();
        }
    }

    private void gaveUp(int attempts, Disconnection last) {
        GaveUp event = new GaveUp();
        if (event.shouldCommit()) {
            event.endpoint = endpoint;
            event.attempts = attempts;
            event.cause = last.cause().name();
            event.errno = last.errno();
            event.commit();
        }
    }

    private static long nanos(Duration d) {
        return d == null ? -1 : d.toNanos();
    }

    private static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress a = (InetSocketAddress) address;
            String host = a.isUnresolved() ? a.getHostString() : a.getAddress().getHostAddress();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + a.getPort();
        }
        return address == null ? null : address.toString();
    }

    @Name("io.resilientconnector.ConnectAttempt")
    @Label("Connect Attempt")
    @Category(CATEGORY)
    @Description("An attempt to connect, from its start until the connection was ready (through any proxy and TLS) "
            + "or the attempt failed")
    @StackTrace(false)
    static final class ConnectAttempt extends Event {
        @Label("Endpoint")
        @Description("The server address as configured")
        String endpoint;
        @Label("Outcome")
        @Description("CONNECTED or FAILED")
        String outcome;
        @Label("Cause")
        @Description("Why the attempt failed; null if it connected")
        String cause;
        @Label("Errno")
        String errno;
        @Label("Connection Id")
        String connectionId;
        @Label("Remote Address")
        String remoteAddress;
    }

    @Name("io.resilientconnector.Connected")
    @Label("Connected")
    @Category(CATEGORY)
    @Description("A connection is ready")
    @StackTrace(false)
    static final class Connected extends Event {
        @Label("Endpoint")
        String endpoint;
        @Label("Connection Id")
        String connectionId;
        @Label("Remote Address")
        String remoteAddress;
        @Label("Local Address")
        String localAddress;
    }

    @Name("io.resilientconnector.Disconnected")
    @Label("Disconnected")
    @Category(CATEGORY)
    @Description("An established connection ended, with what the kernel knew at the end; -1 where unknown")
    @StackTrace(false)
    static final class Disconnected extends Event {
        @Label("Endpoint")
        String endpoint;
        @Label("Connection Id")
        String connectionId;
        @Label("Remote Address")
        String remoteAddress;
        @Label("Cause")
        String cause;
        @Label("Errno")
        String errno;
        @Label("Detail")
        String detail;
        @Label("Unacknowledged Bytes")
        @Description("Bytes the kernel had accepted that the peer had not acknowledged")
        @DataAmount
        long unacknowledgedBytes;
        @Label("Detection Latency")
        @Description("From the last bytes read to the end")
        @Timespan
        long detectionLatency;
        @Label("RTT")
        @Timespan
        long rtt;
        @Label("RTT Variance")
        @Timespan
        long rttVariance;
        @Label("Retransmits")
        @Description("Retransmission timeouts since the last acknowledgement (tcpi_retransmits)")
        int retransmits;
        @Label("Total Retransmissions")
        @Description("Segments retransmitted over the connection's life (tcpi_total_retrans)")
        long totalRetransmissions;
        @Label("Lost")
        @Description("Segments counted as lost (tcpi_lost)")
        long lost;
        @Label("Probes")
        @Description("Unanswered zero-window or keepalive probes (tcpi_probes)")
        int probes;
        @Label("Since Last Received")
        @Timespan
        long sinceLastReceived;
        @Label("Since Last Sent")
        @Timespan
        long sinceLastSent;
    }

    @Name("io.resilientconnector.ReconnectScheduled")
    @Label("Reconnect Scheduled")
    @Category(CATEGORY)
    @StackTrace(false)
    static final class ReconnectScheduled extends Event {
        @Label("Endpoint")
        String endpoint;
        @Label("Attempt")
        int attempt;
        @Label("Delay")
        @Timespan
        long delay;
        @Label("Cause")
        @Description("The cause of the loss or failure before it")
        String cause;
    }

    @Name("io.resilientconnector.GaveUp")
    @Label("Gave Up")
    @Category(CATEGORY)
    @Description("The reconnect policy allows no more attempts")
    @StackTrace(false)
    static final class GaveUp extends Event {
        @Label("Endpoint")
        String endpoint;
        @Label("Attempts")
        int attempts;
        @Label("Cause")
        String cause;
        @Label("Errno")
        String errno;
    }

    @Name("io.resilientconnector.HeartbeatTimeout")
    @Label("Heartbeat Timeout")
    @Category(CATEGORY)
    @Description("A heartbeat went unanswered, and the connection was closed as UNRESPONSIVE")
    @StackTrace(false)
    static final class HeartbeatTimeout extends Event {
        @Label("Endpoint")
        String endpoint;
        @Label("Connection Id")
        String connectionId;
        @Label("Remote Address")
        String remoteAddress;
        @Label("Detail")
        String detail;
        @Label("Detection Latency")
        @Timespan
        long detectionLatency;
    }
}
