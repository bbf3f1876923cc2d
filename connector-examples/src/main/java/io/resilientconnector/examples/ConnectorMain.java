package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.ProxyOptions;
import io.resilientconnector.EndpointOrder;
import io.resilientconnector.InvalidOptionException;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.UnmatchedArgumentException;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLException;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A netcat that survives: a TCP client with keepalive, a five-second read-idle timeout and a reason for every
 * disconnect. It connects to {@code --host}:{@code --port}, or to the first of the {@code --endpoint}s that
 * answers (trying every address of each), prints
 * what it receives and one line per event on stdout, sends each line of stdin, and reconnects with backoff
 * after every loss. Library logs go to stderr.
 *
 * <p>Without {@code --host} it first starts a {@link DemoServer} on loopback and connects to that, so every
 * event shows within 20 seconds with no setup:
 *
 * <pre>
 * java -jar connector-examples/target/resilient-connector-example.jar
 * java -jar connector-examples/target/resilient-connector-example.jar --host 127.0.0.1 --port 9999
 * java -jar connector-examples/target/resilient-connector-example.jar --endpoint primary.example:7000 \
 *     --endpoint backup.example:7000 --failback-after 30s
 * </pre>
 *
 * Exit codes: 0 after {@code --help}, 1 after {@code GAVE_UP}, 2 for invalid input. Otherwise it runs until
 * stopped (Ctrl-C or SIGTERM), closing the connection on the way out.
 */
@Command(name = "resilient-connector-example", sortOptions = false, sortSynopsis = false, usageHelpAutoWidth = true,
        description = {
                "A netcat that survives: connects, prints what it receives and one line per event "
                        + "(CONNECTED, RECEIVED, READ_IDLE, DISCONNECTED, RECONNECTING, GAVE_UP, SEND_FAILED) on "
                        + "stdout, sends each line of stdin, and reconnects with backoff. Logs go to stderr.",
                "Without --host or --endpoint it starts a demo server on loopback and connects to it.",
                "Durations: 500ms, 5s, 2m; a bare number means seconds.",
                ""},
        footer = {"", "Exit codes: 0 after --help, 1 after GAVE_UP, 2 for invalid input; otherwise it runs until "
                + "stopped (Ctrl-C)."})
public final class ConnectorMain implements Callable<Integer> {

    static final int EXIT_GAVE_UP = 1;
    static final int EXIT_USAGE = CommandLine.ExitCode.USAGE;

    /** The host the demo server listens on and the connector then connects to. */
    static final String DEMO_HOST = "127.0.0.1";

    @Spec
    CommandSpec spec;

    @Option(names = "--host", paramLabel = "HOST",
            description = "Where to connect: a host name or IP address. Default: none, which starts the demo server.")
    String host;

    @Option(names = "--port", paramLabel = "PORT",
            description = "1..65535. Required with --host; without it, the demo server's port (default: a free one).")
    Integer port;

    @Option(names = "--endpoint", paramLabel = "HOST:PORT",
            description = "Another endpoint, tried after --host:--port (if given) in the order given; repeat it for "
                    + "more. Every address of every endpoint is tried once per pass. IPv6 literals in brackets: [::1]:7000.")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--order", paramLabel = "ORDER",
            description = "ordered (the first endpoint is the primary), shuffle (one random order per run) or "
                    + "round_robin (each pass starts one further on). Default: ${DEFAULT-VALUE}.")
    String order;

    @Option(names = "--attempt-delay", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Start the next address when one has not connected after this long (RFC 8305 fast "
                    + "fallback); 0 tries one at a time, else 10ms..2s. Default: ${DEFAULT-VALUE}.")
    Duration attemptDelay;

    @Option(names = "--failback-after", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "With --order ordered: move back to a higher endpoint once it has accepted connections "
                    + "this long; 0 disables, else 1s..24h. Default: 0.")
    Duration failbackAfter;

    @Option(names = "--transport", paramLabel = TransportConverter.FORM, converter = TransportConverter.class,
            description = "Default: ${DEFAULT-VALUE}, the best available here (epoll, io_uring, else nio).")
    TransportType transport;

    @Option(names = "--keepalive-idle", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "TCP_KEEPIDLE, whole seconds in 1..32767. Default: ${DEFAULT-VALUE}.")
    Duration keepAliveIdle;

    @Option(names = "--keepalive-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "TCP_KEEPINTVL, whole seconds in 1..32767. Default: ${DEFAULT-VALUE}.")
    Duration keepAliveInterval;

    @Option(names = "--keepalive-count", paramLabel = "N",
            description = "TCP_KEEPCNT, 1..127. Default: ${DEFAULT-VALUE}.")
    int keepAliveCount;

    @Option(names = "--user-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "TCP_USER_TIMEOUT (epoll and io_uring), whole milliseconds; 0 disables. "
                    + "Default: idle + interval x count.")
    Duration userTimeout;

    @Option(names = "--read-idle", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "READ_IDLE after this long without data; 0 disables. Default: ${DEFAULT-VALUE}.")
    Duration readIdlePeriod;

    @Option(names = "--read-idle-close-after", paramLabel = "N",
            description = "Close after N consecutive read-idle periods; 0 never closes. Default: ${DEFAULT-VALUE}.")
    int readIdleCloseAfter;

    @Option(names = "--connect-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "1ms..10m. Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout;

    @Option(names = "--write-stall-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Close when pending output makes no progress this long; 0 disables, else 100ms..1d. "
                    + "Default: the user timeout.")
    Duration writeStallTimeout;

    @Option(names = "--backoff-initial", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "First reconnect delay, before jitter. Default: ${DEFAULT-VALUE}.")
    Duration backoffInitial;

    @Option(names = "--backoff-max", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Longest reconnect delay. Default: ${DEFAULT-VALUE}.")
    Duration backoffMax;

    @Option(names = "--max-attempts", paramLabel = "N",
            description = "Give up after N consecutive failed attempts; 0 never gives up. Default: ${DEFAULT-VALUE}.")
    int maxAttempts;

    @Option(names = "--tls",
            description = "Speak TLS. The server's certificate must be trusted (the system's CAs, or --tls-trust) "
                    + "and match --host.")
    boolean tls;

    @Option(names = "--tls-trust", paramLabel = "PEM",
            description = "Trust the CA certificates in this PEM file instead of the system's. Implies --tls.")
    File tlsTrust;

    @Option(names = "--heartbeat", paramLabel = "TEXT",
            description = "Probe the peer with TEXT after --heartbeat-idle without reads; no reply within "
                    + "--heartbeat-timeout prints DISCONNECTED cause=UNRESPONSIVE. Escapes: \\r \\n \\t \\\\ \\xHH. "
                    + "Any bytes received count as the reply. Off by default.")
    String heartbeat;

    @Option(names = "--heartbeat-idle", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Read silence before a probe. Default: ${DEFAULT-VALUE}.")
    Duration heartbeatIdle;

    @Option(names = "--heartbeat-timeout", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "How long a written probe waits for its reply; shorter than --heartbeat-idle. "
                    + "Default: ${DEFAULT-VALUE}.")
    Duration heartbeatTimeout;

    @Option(names = "--proxy", paramLabel = "URL",
            description = "Connect through a proxy: socks5://[user:pass@]host:port or http://[user:pass@]host:port. "
                    + "Keepalive then bounds the hop to the proxy only; use --heartbeat to see past it.")
    String proxy;

    @Option(names = "--metrics-port", paramLabel = "PORT",
            description = "Serve Prometheus metrics at http://127.0.0.1:PORT/metrics, 1..65535. Default: none.")
    Integer metricsPort;

    @Option(names = {"-h", "--help"}, usageHelp = true, description = "Show this help and exit.")
    boolean help;

    private final InputStream stdin;
    private final DemoServer.Schedule demoSchedule;
    private final boolean installShutdownHook;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile ResilientConnector connector;
    private volatile DemoServer demoServer;
    private volatile MetricsEndpoint metrics;
    private final List<Endpoint> parsedEndpoints = new ArrayList<>();

    public ConnectorMain() {
        this(System.in, DemoServer.Schedule.defaults(), true);
    }

    /** For tests: another stdin, a faster demo, and no JVM shutdown hook. */
    ConnectorMain(InputStream stdin, DemoServer.Schedule demoSchedule, boolean installShutdownHook) {
        this.stdin = stdin;
        this.demoSchedule = demoSchedule;
        this.installShutdownHook = installShutdownHook;
    }

    public static void main(String[] args) {
        System.exit(commandLine(new ConnectorMain()).execute(args));
    }

    /** The command line for {@code main}, with this program's defaults and one-line error messages. */
    static CommandLine commandLine(ConnectorMain main) {
        return new CommandLine(main)
                .setDefaultValueProvider(new Defaults())
                .setParameterExceptionHandler(ConnectorMain::invalidInput);
    }

    @Override
    public Integer call() {
        ConnectorOptions.Builder options = validatedOptions();
        EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), readIdlePeriod,
                () -> exit.complete(EXIT_GAVE_UP));
        try {
            if (metricsPort != null) {
                metrics = startMetrics(metricsPort);
                printer.info("METRICS", "serving Prometheus metrics at http://" + metrics.address() + MetricsEndpoint.PATH);
            }
            Endpoint first = host != null ? Endpoint.of(host, port) : null;
            if (host == null && endpoints.isEmpty()) {
                DemoServer.Schedule schedule = demoSchedule.fitting(readIdlePeriod);
                demoServer = startDemoServer(port == null ? 0 : port, schedule);
                first = Endpoint.of(DEMO_HOST, demoServer.port());
                printer.info("DEMO_SERVER", "listening on " + demoServer.address() + ": a line every "
                        + Text.duration(schedule.lineInterval()) + ", quiet for "
                        + Text.duration(schedule.pause()) + " after every " + schedule.linesPerBurst()
                        + " lines, drops each connection after " + Text.duration(schedule.dropMin()) + ".."
                        + Text.duration(schedule.dropMax()) + "; type a line to send it");
            }
            List<Endpoint> all = endpointsAfter(first);
            connector = ResilientConnector.builder(options.endpoints(all).build())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new Printer(printer));
                        }
                    })
                    .listener(printer)
                    .build();
            if (metrics != null) {
                metrics.bind(connector, "example");
            }
            if (installShutdownHook) {
                Runtime.getRuntime().addShutdownHook(new Thread(this::stop, "connector-shutdown"));
            }
            printer.endpoints(all.size() > 1 ? connector::currentEndpoint : null);
            connector.start();
            StdinForwarder.start(stdin, connector, printer);
            return exit.join();
        } finally {
            closeAll();
        }
    }

    /** Stops the program as Ctrl-C does: {@link #call()} returns 0 once the connection is closed. */
    void stop() {
        exit.complete(0);
        closeAll();
    }

    /** The running connector, or {@code null} before it is built. */
    ResilientConnector connector() {
        return connector;
    }

    private void closeAll() {
        ResilientConnector c = connector;
        if (c != null) {
            c.close();
        }
        DemoServer d = demoServer;
        if (d != null) {
            d.close();
        }
        MetricsEndpoint m = metrics;
        if (m != null) {
            m.close();
        }
    }

    private MetricsEndpoint startMetrics(int metricsPort) {
        try {
            return MetricsEndpoint.start(metricsPort);
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--metrics-port': cannot listen "
                    + "on 127.0.0.1:" + metricsPort + ": " + e.getMessage() + " (expected: a free port)");
        }
    }

    private DemoServer startDemoServer(int demoPort, DemoServer.Schedule schedule) {
        try {
            return DemoServer.start(demoPort, schedule, new Random());
        } catch (IOException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--port': " + e.getMessage()
                    + " (expected: a free port for the demo server, or no --port to pick one)");
        }
    }

    /**
     * Every option checked by the builders that own its rules, before anything starts, with each builder's
     * message restated in terms of the flag that set the value.
     */
    private ConnectorOptions.Builder validatedOptions() {
        if (host != null) {
            check(() -> Endpoint.of(host, 1));
            if (port == null) {
                throw new ParameterException(spec.commandLine(),
                        "Missing option '--port' (expected: --port 1..65535 with --host)");
            }
        }
        if (port != null) {
            check(() -> Endpoint.of(DEMO_HOST, port));
        }
        if (metricsPort != null && (metricsPort < 1 || metricsPort > 65535)) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--metrics-port': " + metricsPort
                    + " (expected: 1..65535)");
        }
        for (String endpoint : endpoints) {
            parsedEndpoints.add(endpoint(endpoint));
        }
        if (host == null && port != null && !endpoints.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--port': " + port
                    + " without --host (expected: --host with --port, or HOST:PORT in each --endpoint)");
        }
        if (transport != TransportType.AUTO) {
            Throwable unavailable = Transport.unavailabilityCause(transport);
            if (unavailable != null) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--transport': "
                        + transport.name().toLowerCase(Locale.ROOT) + " is not available here: " + innermostMessage(unavailable)
                        + " (expected: auto, or a transport this machine supports)");
            }
        }
        KeepAliveOptions.Builder keepAlive = KeepAliveOptions.builder();
        check(() -> keepAlive.idle(keepAliveIdle));
        check(() -> keepAlive.interval(keepAliveInterval));
        check(() -> keepAlive.count(keepAliveCount));
        if (userTimeout != null) {
            check(() -> keepAlive.userTimeout(userTimeout));
        }
        ReconnectPolicy.Builder reconnect = ReconnectPolicy.builder();
        check(() -> reconnect.initialDelay(backoffInitial));
        check(() -> reconnect.maxDelay(backoffMax));
        check(() -> reconnect.maxAttempts(maxAttempts));

        ConnectorOptions.Builder options = ConnectorOptions.builder()
                .transport(transport)
                .keepAlive(keepAlive.build())
                .reconnect(checkTogether(reconnect::build));
        options.endpointOrder(endpointOrder());
        check(() -> options.attemptDelay(attemptDelay));
        if (failbackAfter != null) {
            check(() -> options.failbackAfter(failbackAfter));
        }
        check(() -> options.connectTimeout(connectTimeout));
        check(() -> options.readIdlePeriod(readIdlePeriod));
        check(() -> options.readIdleCloseAfter(readIdleCloseAfter));
        if (writeStallTimeout != null) {
            check(() -> options.writeStallTimeout(writeStallTimeout));
        }
        if (tls || tlsTrust != null) {
            if (host == null && endpoints.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--tls': the demo server "
                        + "speaks plain TCP (expected: --tls with --host and --port of a TLS server)");
            }
            SslContext context = tlsContext();
            options.tls(context);
        }
        if (heartbeat != null) {
            options.heartbeat(heartbeatOptions());
        } else if (heartbeatIdle != null && !heartbeatIdle.equals(HeartbeatOptions.DEFAULT_IDLE)
                || heartbeatTimeout != null && !heartbeatTimeout.equals(HeartbeatOptions.DEFAULT_TIMEOUT)) {
            throw new ParameterException(spec.commandLine(), "Invalid combination of options: --heartbeat-idle and "
                    + "--heartbeat-timeout need --heartbeat (expected: --heartbeat TEXT, the probe to send)");
        }
        if (proxy != null) {
            // The value it reports has any password masked.
            check(() -> options.proxy(ProxyOptions.parse(proxy)));
        }
        // The endpoint is known only once the demo server listens; a stand-in lets build() check the rest now.
        checkTogether(() -> options.endpoint(DEMO_HOST, 1).build());
        if (!parsedEndpoints.isEmpty()) {
            check(() -> options.endpoints(endpointsAfter(host != null ? Endpoint.of(host, port) : null)));
        }
        return options;
    }

    /** {@code first} (the {@code --host} endpoint or the demo server; {@code null} if neither), then each {@code --endpoint}. */
    private List<Endpoint> endpointsAfter(Endpoint first) {
        List<Endpoint> all = new ArrayList<>();
        if (first != null) {
            all.add(first);
        }
        all.addAll(parsedEndpoints);
        return all;
    }

    private HeartbeatOptions heartbeatOptions() {
        byte[] probe;
        try {
            probe = Escapes.unescape(heartbeat);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--heartbeat': "
                    + oneLine(e.getMessage()) + " (expected: text with the escapes \\r \\n \\t \\\\ \\xHH)");
        }
        HeartbeatOptions.Builder builder = HeartbeatOptions.builder();
        check(() -> builder.probe(probe));
        check(() -> builder.idle(heartbeatIdle));
        check(() -> builder.timeout(heartbeatTimeout));
        return checkTogether(builder::build);
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
        int p;
        try {
            p = colon > 0 ? Integer.parseInt(value.substring(colon + 1)) : -1;
        } catch (NumberFormatException e) {
            p = -1;
        }
        if (host.isBlank() || p == -1) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--endpoint': " + oneLine(value)
                    + " (expected: HOST:PORT, such as gateway.example:7000 or [::1]:7000)");
        }
        try {
            return Endpoint.of(host, p);
        } catch (InvalidOptionException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '--endpoint': " + oneLine(value)
                    + ": " + e.option() + " " + oneLine(e.value()) + " (expected: " + e.expected() + ")");
        }
    }

    private EndpointOrder endpointOrder() {
        String normal = order.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (EndpointOrder o : EndpointOrder.values()) {
            if (o.name().equals(normal)) {
                return o;
            }
        }
        throw new ParameterException(spec.commandLine(), "Invalid value for option '--order': " + oneLine(order)
                + " (expected: ordered|shuffle|round_robin)");
    }

    private SslContext tlsContext() {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (tlsTrust != null) {
            if (!tlsTrust.isFile() || !tlsTrust.canRead()) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--tls-trust': " + tlsTrust
                        + " is not a readable file (expected: a PEM file of CA certificates)");
            }
            try {
                builder.trustManager(tlsTrust);
            } catch (IllegalArgumentException e) {
                throw new ParameterException(spec.commandLine(), "Invalid value for option '--tls-trust': " + tlsTrust
                        + ": " + oneLine(String.valueOf(e.getMessage())) + " (expected: a PEM file of CA certificates)");
            }
        }
        try {
            return builder.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '"
                    + (tlsTrust != null ? "--tls-trust" : "--tls") + "': " + oneLine(String.valueOf(e.getMessage()))
                    + " (expected: a PEM file of CA certificates)");
        }
    }

    /**
     * Runs one builder step, turning its complaint into a usage error about the flag that set the value. The
     * builder's exception names its option; {@link #FLAGS} gives the flag for it.
     */
    private void check(Supplier<?> step) {
        try {
            step.get();
        } catch (InvalidOptionException e) {
            throw new ParameterException(spec.commandLine(), "Invalid value for option '" + flag(e.option()) + "': "
                    + oneLine(e.value()) + " (expected: " + e.expected() + ")");
        }
    }

    /** Runs a step that checks several options against each other, naming the flags in its complaint. */
    private <T> T checkTogether(Supplier<T> step) {
        try {
            return step.get();
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ParameterException(spec.commandLine(),
                    "Invalid combination of options: " + flagNames(oneLine(String.valueOf(e.getMessage()))));
        }
    }

    /** The builders' option names, and the flags that set them. */
    private static final Map<String, String> FLAGS = new LinkedHashMap<>();

    static {
        FLAGS.put("host", "--host");
        FLAGS.put("port", "--port");
        FLAGS.put("keepAlive.userTimeout", "--user-timeout");
        FLAGS.put("keepAlive.idle", "--keepalive-idle");
        FLAGS.put("keepAlive.interval", "--keepalive-interval");
        FLAGS.put("keepAlive.count", "--keepalive-count");
        FLAGS.put("backoff.initial", "--backoff-initial");
        FLAGS.put("backoff.max", "--backoff-max");
        FLAGS.put("reconnect.maxAttempts", "--max-attempts");
        FLAGS.put("readIdleCloseAfter", "--read-idle-close-after");
        FLAGS.put("readIdlePeriod", "--read-idle");
        FLAGS.put("connectTimeout", "--connect-timeout");
        FLAGS.put("writeStallTimeout", "--write-stall-timeout");
        FLAGS.put("heartbeat.probe", "--heartbeat");
        FLAGS.put("heartbeat.idle", "--heartbeat-idle");
        FLAGS.put("heartbeat.timeout", "--heartbeat-timeout");
        FLAGS.put("proxy", "--proxy");
        FLAGS.put("endpoints", "--endpoint");
        FLAGS.put("endpointOrder", "--order");
        FLAGS.put("attemptDelay", "--attempt-delay");
        FLAGS.put("failbackAfter", "--failback-after");
    }

    /** The flag that sets {@code option}; an option no flag sets keeps its builder name. */
    static String flag(String option) {
        return FLAGS.getOrDefault(option, option);
    }

    private static final Pattern NAME = Pattern.compile("(?<![\\w.-])[a-zA-Z]+(?:\\.[a-zA-Z]+)?(?![\\w.])");

    static String flagNames(String message) {
        Matcher m = NAME.matcher(message);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, Matcher.quoteReplacement(flag(m.group())));
        }
        m.appendTail(out);
        return out.toString();
    }

    /** Invalid input: one line on stderr that names the flag and the expected form, and exit code 2. */
    private static int invalidInput(ParameterException e, String[] args) {
        String message = oneLine(String.valueOf(e.getMessage()));
        if (e instanceof UnmatchedArgumentException) {
            List<String> suggestions = ((UnmatchedArgumentException) e).getSuggestions();
            message += " (expected: one of the options --help lists"
                    + (suggestions.isEmpty() ? "" : "; did you mean " + String.join(" or ", suggestions) + "?") + ")";
        }
        PrintWriter err = e.getCommandLine().getErr();
        err.println(message);
        err.flush();
        return EXIT_USAGE;
    }

    /** What is wrong, in one line: Netty wraps the reason, for example in an ExceptionInInitializerError. */
    private static String innermostMessage(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return oneLine(root.getMessage() != null ? root.getMessage() : root.getClass().getName());
    }

    private static String oneLine(String text) {
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    /** Prints what each connection delivers, then releases it. */
    private static final class Printer extends SimpleChannelInboundHandler<ByteBuf> {
        private final EventPrinter printer;

        Printer(EventPrinter printer) {
            this.printer = printer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf data) {
            printer.received(data);
        }
    }

    /** The library's defaults, formatted as the flags accept them, so the help text cannot drift from them. */
    static final class Defaults implements IDefaultValueProvider {
        @Override
        public String defaultValue(ArgSpec arg) {
            if (!(arg instanceof OptionSpec)) {
                return null;
            }
            switch (((OptionSpec) arg).longestName()) {
                case "--transport":
                    return ConnectorOptions.DEFAULT_TRANSPORT.name().toLowerCase(Locale.ROOT);
                case "--keepalive-idle":
                    return flagForm(KeepAliveOptions.DEFAULT_IDLE);
                case "--keepalive-interval":
                    return flagForm(KeepAliveOptions.DEFAULT_INTERVAL);
                case "--keepalive-count":
                    return String.valueOf(KeepAliveOptions.DEFAULT_COUNT);
                case "--read-idle":
                    return flagForm(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD);
                case "--read-idle-close-after":
                    return String.valueOf(ConnectorOptions.DEFAULT_READ_IDLE_CLOSE_AFTER);
                case "--connect-timeout":
                    return flagForm(ConnectorOptions.DEFAULT_CONNECT_TIMEOUT);
                case "--backoff-initial":
                    return flagForm(ReconnectPolicy.DEFAULT_INITIAL_DELAY);
                case "--backoff-max":
                    return flagForm(ReconnectPolicy.DEFAULT_MAX_DELAY);
                case "--max-attempts":
                    return String.valueOf(ReconnectPolicy.DEFAULT_MAX_ATTEMPTS);
                case "--heartbeat-idle":
                    return flagForm(HeartbeatOptions.DEFAULT_IDLE);
                case "--heartbeat-timeout":
                    return flagForm(HeartbeatOptions.DEFAULT_TIMEOUT);
                case "--order":
                    return ConnectorOptions.DEFAULT_ENDPOINT_ORDER.name().toLowerCase(Locale.ROOT);
                case "--attempt-delay":
                    return flagForm(ConnectorOptions.DEFAULT_ATTEMPT_DELAY);
                default:
                    return null;
            }
        }

        /** {@code 60s} rather than {@code 1m}: the kernel counts keepalive timings in seconds. */
        private static String flagForm(Duration d) {
            return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
        }
    }
}
