package io.resilientconnector.examples;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.EndpointOrder;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.InvalidOptionException;
import io.resilientconnector.ProxyOptions;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import picocli.CommandLine.Model.CommandSpec;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import javax.net.ssl.SSLException;

import static io.resilientconnector.examples.UsageErrors.oneLine;

/**
 * The parsed {@link Flags}, turned into connector options. Every value is checked by the builder that owns its
 * rules, before anything starts, so that a bad flag ends the program with one line about that flag.
 */
final class OptionsFromFlags {

    private final CommandSpec command;
    private final UsageErrors errors;
    private final List<Endpoint> endpoints = new ArrayList<>();

    OptionsFromFlags(CommandSpec command) {
        this.command = command;
        this.errors = new UsageErrors(command.commandLine());
    }

    /** The value of {@code flag} in this parse. */
    <T> T get(Flag<T> flag) {
        return flag.value(command);
    }

    /** Whether neither {@code --host} nor {@code --endpoint} was given, so the demo server is the peer. */
    boolean demo() {
        return get(Flags.HOST) == null && endpointFlags().isEmpty();
    }

    /** Checks every flag; the endpoints are left for the caller to add once the demo server, if any, listens. */
    ConnectorOptions.Builder validated() {
        checkNeeds();
        String host = get(Flags.HOST);
        Integer port = get(Flags.PORT);
        if (host != null) {
            errors.check(() -> Endpoint.of(host, 1));
            if (port == null) {
                throw errors.missing(Flags.PORT, "--port " + Flags.accepted(() -> Endpoint.of(host, 0)) + " with --host");
            }
        }
        if (port != null) {
            errors.check(() -> Endpoint.of(ConnectorMain.DEMO_HOST, port));
        }
        Integer metricsPort = get(Flags.METRICS_PORT);
        if (metricsPort != null) {
            try {
                Endpoint.of(ConnectorMain.DEMO_HOST, metricsPort);
            } catch (InvalidOptionException e) {
                throw errors.invalid(Flags.METRICS_PORT, e.value(), e.expected());
            }
        }
        for (String endpoint : endpointFlags()) {
            endpoints.add(endpoint(endpoint));
        }
        if (host == null && port != null && !endpoints.isEmpty()) {
            throw errors.invalid(Flags.PORT, port + " without --host",
                    "--host with --port, or HOST:PORT in each --endpoint");
        }
        int endpointCount = (host != null ? 1 : 0) + endpoints.size();
        for (Flag<?> choice : List.of(Flags.ORDER, Flags.FAILBACK_AFTER)) {
            if (choice.given(command) && endpointCount < 2) {
                throw errors.combination(choice.name() + " chooses between endpoints, but there "
                        + (endpointCount == 0 ? "are none but the demo server" : "is only one")
                        + " (expected: --endpoint HOST:PORT for each endpoint after the first, or no " + choice.name() + ")");
            }
        }
        checkTransport();
        KeepAliveOptions.Builder keepAlive = KeepAliveOptions.builder();
        errors.check(() -> keepAlive.idle(get(Flags.KEEPALIVE_IDLE)));
        errors.check(() -> keepAlive.interval(get(Flags.KEEPALIVE_INTERVAL)));
        errors.check(() -> keepAlive.count(get(Flags.KEEPALIVE_COUNT)));
        setIfGiven(Flags.USER_TIMEOUT, keepAlive::userTimeout);
        ReconnectPolicy.Builder reconnect = ReconnectPolicy.builder();
        errors.check(() -> reconnect.initialDelay(get(Flags.BACKOFF_INITIAL)));
        errors.check(() -> reconnect.maxDelay(get(Flags.BACKOFF_MAX)));
        errors.check(() -> reconnect.maxAttempts(get(Flags.MAX_ATTEMPTS)));

        ConnectorOptions.Builder options = ConnectorOptions.builder()
                .transport(get(Flags.TRANSPORT))
                .keepAlive(keepAlive.build())
                .reconnect(errors.together(reconnect::build));
        options.endpointOrder(endpointOrder());
        errors.check(() -> options.attemptDelay(get(Flags.ATTEMPT_DELAY)));
        setIfGiven(Flags.FAILBACK_AFTER, options::failbackAfter);
        errors.check(() -> options.connectTimeout(get(Flags.CONNECT_TIMEOUT)));
        errors.check(() -> options.readIdlePeriod(get(Flags.READ_IDLE)));
        errors.check(() -> options.readIdleCloseAfter(get(Flags.READ_IDLE_CLOSE_AFTER)));
        setIfGiven(Flags.WRITE_STALL_TIMEOUT, options::writeStallTimeout);
        if (Boolean.TRUE.equals(get(Flags.TLS)) || get(Flags.TLS_TRUST) != null) {
            if (demo()) {
                throw errors.invalid(Flags.TLS, "the demo server speaks plain TCP",
                        "--tls with --host and --port of a TLS server");
            }
            options.tls(tlsContext());
            setIfGiven(Flags.TLS_HANDSHAKE_TIMEOUT, options::tlsHandshakeTimeout);
        }
        if (get(Flags.HEARTBEAT) != null) {
            options.heartbeat(heartbeatOptions());
        }
        errors.check(() -> options.maxPendingMessages(get(Flags.MAX_PENDING_MESSAGES)));
        errors.check(() -> options.maxPendingBytes(get(Flags.MAX_PENDING_BYTES)));
        // The value it reports has any password masked.
        setIfGiven(Flags.PROXY, proxy -> options.proxy(ProxyOptions.parse(proxy)));
        // The endpoint is known only once the demo server listens; a stand-in lets build() check the rest now.
        errors.together(() -> options.endpoint(ConnectorMain.DEMO_HOST, 1).build());
        if (!endpoints.isEmpty()) {
            errors.check(() -> options.endpoints(endpointsAfter(hostEndpoint())));
        }
        return options;
    }

    /** The {@code --host} endpoint, or {@code null} without {@code --host}. */
    Endpoint hostEndpoint() {
        String host = get(Flags.HOST);
        return host != null ? Endpoint.of(host, get(Flags.PORT)) : null;
    }

    /** {@code first} (the {@code --host} endpoint or the demo server; {@code null} if neither), then each {@code --endpoint}. */
    List<Endpoint> endpointsAfter(Endpoint first) {
        List<Endpoint> all = new ArrayList<>();
        if (first != null) {
            all.add(first);
        }
        all.addAll(endpoints);
        return all;
    }

    /** Runs the builder step {@code set} with the value of {@code flag}, if the flag was given. */
    private <T> void setIfGiven(Flag<T> flag, Function<T, ?> set) {
        T value = get(flag);
        if (value != null) {
            errors.check(() -> set.apply(value));
        }
    }

    /**
     * A flag that means something only with another, given without it, is an error rather than silently
     * ignored: {@code --heartbeat-idle} alone would otherwise look like a heartbeat that is not there.
     */
    private void checkNeeds() {
        for (Flag<?> flag : Flags.all()) {
            if (!flag.needs().isEmpty() && flag.given(command) && flag.needs().stream().noneMatch(n -> n.given(command))) {
                List<String> wanted = new ArrayList<>();
                for (Flag<?> n : flag.needs()) {
                    wanted.add(n.label() != null ? n.name() + " " + n.label() : n.name());
                }
                throw errors.combination(flag.name() + " needs " + String.join(" or ", wanted)
                        + " (expected: " + String.join(" or ", wanted) + " with it, or no " + flag.name() + ")");
            }
        }
    }

    private List<String> endpointFlags() {
        List<String> given = get(Flags.ENDPOINTS);
        return given != null ? given : List.of();
    }

    private void checkTransport() {
        TransportType transport = get(Flags.TRANSPORT);
        if (transport != TransportType.AUTO) {
            Throwable unavailable = Transport.unavailabilityCause(transport);
            if (unavailable != null) {
                throw errors.invalid(Flags.TRANSPORT, transport.name().toLowerCase(Locale.ROOT)
                        + " is not available here: " + innermostMessage(unavailable),
                        "auto, or a transport this machine supports");
            }
        }
    }

    private HeartbeatOptions heartbeatOptions() {
        byte[] probe;
        try {
            probe = Escapes.unescape(get(Flags.HEARTBEAT));
        } catch (IllegalArgumentException e) {
            throw errors.invalid(Flags.HEARTBEAT, oneLine(e.getMessage()),
                    "text with the escapes \\r \\n \\t \\\\ \\xHH");
        }
        HeartbeatOptions.Builder builder = HeartbeatOptions.builder();
        errors.check(() -> builder.probe(probe));
        errors.check(() -> builder.idle(get(Flags.HEARTBEAT_IDLE)));
        errors.check(() -> builder.timeout(get(Flags.HEARTBEAT_TIMEOUT)));
        return errors.together(builder::build);
    }

    /** {@code host:port}, or {@code [v6]:port}, as {@code --endpoint} takes it. */
    private Endpoint endpoint(String value) {
        int colon = value.lastIndexOf(':');
        String host = colon > 0 ? value.substring(0, colon) : "";
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            host = "";
        }
        int port;
        try {
            port = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isBlank() || port == -1) {
            throw errors.invalid(Flags.ENDPOINTS, oneLine(value), "HOST:PORT, such as gateway.example:7000 or [::1]:7000");
        }
        try {
            return Endpoint.of(host, port);
        } catch (InvalidOptionException e) {
            throw errors.invalid(Flags.ENDPOINTS, oneLine(value) + ": " + e.option() + " " + oneLine(e.value()),
                    e.expected());
        }
    }

    private EndpointOrder endpointOrder() {
        String order = get(Flags.ORDER);
        String normal = order.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (EndpointOrder o : EndpointOrder.values()) {
            if (o.name().equals(normal)) {
                return o;
            }
        }
        throw errors.invalid(Flags.ORDER, oneLine(order), "ordered|shuffle|round_robin");
    }

    private SslContext tlsContext() {
        File trust = get(Flags.TLS_TRUST);
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (trust != null) {
            if (!trust.isFile() || !trust.canRead()) {
                throw errors.invalid(Flags.TLS_TRUST, trust + " is not a readable file", "a PEM file of CA certificates");
            }
            try {
                builder.trustManager(trust);
            } catch (IllegalArgumentException e) {
                throw errors.invalid(Flags.TLS_TRUST, trust + ": " + oneLine(String.valueOf(e.getMessage())),
                        "a PEM file of CA certificates");
            }
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw errors.invalid(trust != null ? Flags.TLS_TRUST : Flags.TLS, oneLine(String.valueOf(e.getMessage())),
                    "a PEM file of CA certificates");
        }
    }

    /** What is wrong, in one line: Netty wraps the reason, for example in an ExceptionInInitializerError. */
    private static String innermostMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return oneLine(Text.error(root));
    }
}
