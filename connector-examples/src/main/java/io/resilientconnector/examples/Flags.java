package io.resilientconnector.examples;

import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.InvalidOptionException;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.TransportType;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

import java.io.File;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * Every flag of {@link ConnectorMain}, in the order the help lists them. The defaults are the library's own
 * constants, so the help text cannot drift from them, and each flag names the builder option it sets, so an
 * error from a builder can name the flag.
 */
final class Flags {

    private static final List<Flag<?>> DECLARED = new ArrayList<>();

    static final Flag<String> HOST = declare(Flag.text("--host", "HOST").sets("host").help(
            "Where to connect: a host name or IP address, with --port; tried before any --endpoint. "
                    + "Default: none: with --endpoint, only those; with neither, the demo server on "
                    + ConnectorMain.DEMO_HOST + "."));

    static final Flag<Integer> PORT = declare(Flag.optionalNumber("--port", "PORT").sets("port").help(
            "The port of --host, " + accepted(() -> Endpoint.of("host", 0)) + ". Without --host or --endpoint, "
                    + "the demo server's port. Default: none (the demo server takes a free one)."));

    static final Flag<List<String>> ENDPOINTS = declare(Flag.texts("--endpoint", "HOST:PORT").sets("endpoints").help(
            "Another endpoint, tried after --host:--port (if given) in the order given; repeat it for "
                    + "more. Every address of every endpoint is tried once per pass. IPv6 literals in brackets: [::1]:7000."));

    static final Flag<String> ORDER = declare(Flag.text("--order", "ORDER").sets("endpointOrder")
            .byDefault(lowerCase(ConnectorOptions.DEFAULT_ENDPOINT_ORDER)).help(
                    "With several endpoints: ordered (the first endpoint is the primary), shuffle (one random "
                            + "order per run) or round_robin (each pass starts one further on). Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> ATTEMPT_DELAY = declare(Flag.duration("--attempt-delay").sets("attemptDelay")
            .byDefault(typed(ConnectorOptions.DEFAULT_ATTEMPT_DELAY)).help(
                    "Start the next address when one has not connected after this long (RFC 8305 fast "
                            + "fallback); 0 tries one at a time. "
                            + accepted(() -> ConnectorOptions.builder().attemptDelay(Duration.ofMillis(1)))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> FAILBACK_AFTER = declare(Flag.duration("--failback-after").sets("failbackAfter")
            .byDefault(typed(ConnectorOptions.DEFAULT_FAILBACK_AFTER)).help(
                    "With several endpoints and --order ordered: move back to a higher endpoint once it has accepted "
                            + "connections this long. "
                            + accepted(() -> ConnectorOptions.builder().failbackAfter(Duration.ofMillis(1)))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<TransportType> TRANSPORT = declare(Flag.read("--transport", TransportConverter.FORM,
            TransportType.class, new TransportConverter()).sets("transport")
            .byDefault(lowerCase(ConnectorOptions.DEFAULT_TRANSPORT)).help(
                    "Default: ${DEFAULT-VALUE}, the best available here (epoll, io_uring, else nio)."));

    static final Flag<Duration> KEEPALIVE_IDLE = declare(Flag.seconds("--keepalive-idle").sets("keepAlive.idle")
            .byDefault(typed(KeepAliveOptions.DEFAULT_IDLE)).help(
                    "TCP_KEEPIDLE, " + accepted(() -> KeepAliveOptions.builder().idle(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> KEEPALIVE_INTERVAL = declare(Flag.seconds("--keepalive-interval")
            .sets("keepAlive.interval").byDefault(typed(KeepAliveOptions.DEFAULT_INTERVAL)).help(
                    "TCP_KEEPINTVL, " + accepted(() -> KeepAliveOptions.builder().interval(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Integer> KEEPALIVE_COUNT = declare(Flag.number("--keepalive-count", "N").sets("keepAlive.count")
            .byDefault(String.valueOf(KeepAliveOptions.DEFAULT_COUNT)).help(
                    "TCP_KEEPCNT, " + accepted(() -> KeepAliveOptions.builder().count(0)) + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> USER_TIMEOUT = declare(Flag.duration("--user-timeout").sets("keepAlive.userTimeout").help(
            "TCP_USER_TIMEOUT (epoll and io_uring): "
                    + accepted(() -> KeepAliveOptions.builder().userTimeout(Duration.ofNanos(1)))
                    + ". Default: idle + interval x count ("
                    + typed(KeepAliveOptions.defaults().userTimeout()) + " with the default keepalive)."));

    static final Flag<Duration> READ_IDLE = declare(Flag.duration("--read-idle").sets("readIdlePeriod")
            .byDefault(typed(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD)).help(
                    "READ_IDLE after this long without data: "
                            + accepted(() -> ConnectorOptions.builder().readIdlePeriod(ConnectorOptions.MAX_READ_IDLE_PERIOD.plusDays(1)))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Integer> READ_IDLE_CLOSE_AFTER = declare(Flag.number("--read-idle-close-after", "N")
            .sets("readIdleCloseAfter").byDefault(String.valueOf(ConnectorOptions.DEFAULT_READ_IDLE_CLOSE_AFTER)).help(
                    "Close after N consecutive read-idle periods, "
                            + accepted(() -> ConnectorOptions.builder().readIdleCloseAfter(-1))
                            + "; 0 never closes. Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> CONNECT_TIMEOUT = declare(Flag.duration("--connect-timeout").sets("connectTimeout")
            .byDefault(typed(ConnectorOptions.DEFAULT_CONNECT_TIMEOUT)).help(
                    "How long one connect pass may take, name lookups included: "
                            + accepted(() -> ConnectorOptions.builder().connectTimeout(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> WRITE_STALL_TIMEOUT = declare(Flag.duration("--write-stall-timeout")
            .sets("writeStallTimeout").help(
                    "Close when pending output makes no progress this long: "
                            + accepted(() -> ConnectorOptions.builder().writeStallTimeout(Duration.ofNanos(1)))
                            + ". Default: the user timeout."));

    static final Flag<Integer> MAX_PENDING_MESSAGES = declare(Flag.number("--max-pending-messages", "N")
            .sets("maxPendingMessages").byDefault(String.valueOf(ConnectorOptions.DEFAULT_MAX_PENDING_MESSAGES)).help(
                    "The most stdin lines that wait for a connection, "
                            + accepted(() -> ConnectorOptions.builder().maxPendingMessages(-1))
                            + "; more are SEND_FAILED reason=BUFFER_FULL. Default: ${DEFAULT-VALUE}."));

    static final Flag<Long> MAX_PENDING_BYTES = declare(Flag.longNumber("--max-pending-bytes", "BYTES")
            .sets("maxPendingBytes").byDefault(String.valueOf(ConnectorOptions.DEFAULT_MAX_PENDING_BYTES)).help(
                    "The most bytes of stdin lines that wait for a connection, "
                            + accepted(() -> ConnectorOptions.builder().maxPendingBytes(-1))
                            + "; a longer line cannot wait at all. Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> BACKOFF_INITIAL = declare(Flag.duration("--backoff-initial").sets("reconnect.initialDelay")
            .byDefault(typed(ReconnectPolicy.DEFAULT_INITIAL_DELAY)).help(
                    "First reconnect delay, before jitter: "
                            + accepted(() -> ReconnectPolicy.builder().initialDelay(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> BACKOFF_MAX = declare(Flag.duration("--backoff-max").sets("reconnect.maxDelay")
            .byDefault(typed(ReconnectPolicy.DEFAULT_MAX_DELAY)).help(
                    "Longest reconnect delay: " + accepted(() -> ReconnectPolicy.builder().maxDelay(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Integer> MAX_ATTEMPTS = declare(Flag.number("--max-attempts", "N").sets("reconnect.maxAttempts")
            .byDefault(String.valueOf(ReconnectPolicy.DEFAULT_MAX_ATTEMPTS)).help(
                    "Give up after N attempts in a row, the first included, "
                            + accepted(() -> ReconnectPolicy.builder().maxAttempts(-1))
                            + "; 0 never gives up. Default: ${DEFAULT-VALUE}."));

    static final Flag<Boolean> TLS = declare(Flag.toggle("--tls").help(
            "Speak TLS. The server's certificate must be trusted (the system's CAs, or --tls-trust) "
                    + "and match --host."));

    static final Flag<File> TLS_TRUST = declare(Flag.file("--tls-trust", "PEM").help(
            "Trust the CA certificates in this PEM file instead of the system's. Implies --tls."));

    static final Flag<Duration> TLS_HANDSHAKE_TIMEOUT = declare(Flag.duration("--tls-handshake-timeout")
            .sets("tlsHandshakeTimeout").needs(TLS, TLS_TRUST).help(
                    "How long the TLS handshake may take, "
                            + accepted(() -> ConnectorOptions.builder().tlsHandshakeTimeout(Duration.ZERO))
                            + "; needs --tls. Default: --connect-timeout."));

    static final Flag<String> HEARTBEAT = declare(Flag.text("--heartbeat", "TEXT").sets("heartbeat.probe").help(
            "Probe the peer with TEXT (" + accepted(() -> HeartbeatOptions.builder().probe(new byte[0]))
                    + ") after --heartbeat-idle without reads; no reply within "
                    + "--heartbeat-timeout prints DISCONNECTED cause=UNRESPONSIVE. Escapes: \\r \\n \\t \\\\ \\xHH. "
                    + "Any bytes received count as the reply. Default: none (off)."));

    static final Flag<Duration> HEARTBEAT_IDLE = declare(Flag.duration("--heartbeat-idle").sets("heartbeat.idle")
            .needs(HEARTBEAT).byDefault(typed(HeartbeatOptions.DEFAULT_IDLE)).help(
                    "With --heartbeat: read silence before a probe, "
                            + accepted(() -> HeartbeatOptions.builder().idle(Duration.ZERO))
                            + ". Default: ${DEFAULT-VALUE}."));

    static final Flag<Duration> HEARTBEAT_TIMEOUT = declare(Flag.duration("--heartbeat-timeout")
            .sets("heartbeat.timeout").needs(HEARTBEAT).byDefault(typed(HeartbeatOptions.DEFAULT_TIMEOUT)).help(
                    "With --heartbeat: how long a written probe waits for its reply, "
                            + accepted(() -> HeartbeatOptions.builder().timeout(Duration.ZERO))
                            + " and shorter than --heartbeat-idle. Default: ${DEFAULT-VALUE}."));

    static final Flag<String> PROXY = declare(Flag.text("--proxy", "URL").sets("proxy").help(
            "Connect through a proxy: socks5://[user:pass@]host:port or http://[user:pass@]host:port. "
                    + "Keepalive then bounds the hop to the proxy only; use --heartbeat to see past it."));

    static final Flag<Integer> METRICS_PORT = declare(Flag.optionalNumber("--metrics-port", "PORT").help(
            "Serve Prometheus metrics at http://127.0.0.1:PORT" + MetricsEndpoint.PATH + ", PORT "
                    + accepted(() -> Endpoint.of("host", 0)) + ". Default: none (no metrics)."));

    static final Flag<Boolean> VERBOSE = declare(Flag.toggle("--verbose").help(
            "Also log the library's INFO lines (connects, losses, reconnects) on stderr; without it only "
                    + "warnings and errors are logged, so each event shows once, on stdout."));

    private Flags() {
    }

    /** Every flag, in the order the help lists them. */
    static List<Flag<?>> all() {
        return Collections.unmodifiableList(DECLARED);
    }

    /** Adds every flag, and then {@code -h}/{@code --help}, to {@code command}. */
    static CommandSpec addTo(CommandSpec command) {
        for (Flag<?> flag : DECLARED) {
            command.addOption(flag.spec());
        }
        return command.addOption(OptionSpec.builder("-h", "--help").usageHelp(true)
                .description("Show this help and exit.").build());
    }

    /** The flag that sets the builder option {@code option}; an option no flag sets keeps its builder name. */
    static String flagFor(String option) {
        for (Flag<?> flag : DECLARED) {
            if (option.equals(flag.option())) {
                return flag.name();
            }
        }
        return option;
    }

    /**
     * {@code message} with each builder option name in it replaced by the flag that sets it. A contradiction
     * found by {@code build()} comes as an {@link IllegalStateException} whose message is its only record of
     * the options involved; a name counts only as a whole word, so {@code read-idle} or {@code ORDERED} stay.
     */
    static String restate(String message) {
        StringBuilder out = new StringBuilder(message.length() + 16);
        int i = 0;
        while (i < message.length()) {
            int end = i;
            while (end < message.length() && isNamePart(message.charAt(end))) {
                end++;
            }
            if (end == i) {
                out.append(message.charAt(i++));
                continue;
            }
            // A sentence's full stop is not part of the name before it.
            int nameEnd = end;
            while (nameEnd > i && message.charAt(nameEnd - 1) == '.') {
                nameEnd--;
            }
            out.append(flagFor(message.substring(i, nameEnd))).append(message, nameEnd, end);
            i = end;
        }
        return out.toString();
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_';
    }

    /**
     * What a builder accepts, in its own words, taken from its complaint about {@code bad}: the ranges the help
     * shows are then the builders' ranges, and cannot drift from them.
     */
    static String accepted(Runnable bad) {
        try {
            bad.run();
        } catch (InvalidOptionException e) {
            return e.expected();
        }
        throw new AssertionError("the builder accepted a value out of its range");
    }

    private static <T> Flag<T> declare(Flag<T> flag) {
        DECLARED.add(flag);
        return flag;
    }

    private static String lowerCase(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT);
    }

    /** A default as the flag takes it: {@code 60s} rather than {@code 1m}, as the kernel counts keepalive in seconds. */
    private static String typed(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

}
