package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.ResilientConnector;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;
import picocli.CommandLine;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A netcat that survives: a TCP client with keepalive, a five-second read-idle timeout and a reason for every
 * disconnect. It connects to {@code --host}:{@code --port}, or to the first of the {@code --endpoint}s that
 * answers (trying every address of each), prints
 * what it receives and one line per event on stdout, sends each line of stdin, and reconnects with backoff
 * after every loss. The library's warnings go to stderr, and with {@code --verbose} its INFO lines too: without
 * it, each event shows once, as its line on stdout.
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
                        + "(CONNECTED, RECEIVED, READ_IDLE, DISCONNECTED, ATTEMPT_FAILED, RECONNECTING, GAVE_UP, "
                        + "SEND_FAILED) on stdout, sends each line of stdin, and reconnects with backoff. Warnings "
                        + "and errors are logged to stderr; --verbose logs more.",
                "Without --host or --endpoint it starts a demo server on loopback and connects to it.",
                "Durations are a whole number and a unit: 500ms, 5s, 2m, 1h, 1d; 0 needs no unit. A bare number "
                        + "means seconds only for the flags that say so (the keepalive times, which the kernel "
                        + "counts in whole seconds); elsewhere it is rejected.",
                ""},
        footer = {"", "Exit codes: 0 after --help, 1 after GAVE_UP, 2 for invalid input; otherwise it runs until "
                + "stopped (Ctrl-C)."})
public final class ConnectorMain implements Callable<Integer> {

    static final int EXIT_GAVE_UP = 1;

    /** The host the demo server listens on and the connector then connects to. */
    static final String DEMO_HOST = "127.0.0.1";

    @Spec
    CommandSpec spec;

    private final InputStream stdin;
    private final DemoServer.Schedule demoSchedule;
    private final boolean installShutdownHook;
    private final CompletableFuture<Integer> exit = new CompletableFuture<>();
    private volatile ResilientConnector connector;
    private volatile DemoServer demoServer;
    private volatile MetricsEndpoint metrics;
    private volatile StdinForwarder forwarder;
    private volatile SendFailures sendFailures;
    private volatile ScheduledExecutorService ticker;

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

    /** The command line for {@code main}: its {@link Flags}, and one-line error messages. */
    static CommandLine commandLine(ConnectorMain main) {
        return new CommandLine(Flags.addTo(CommandSpec.forAnnotatedObject(main)))
                .setParameterExceptionHandler(UsageErrors::print);
    }

    @Override
    public Integer call() {
        UsageErrors errors = new UsageErrors(spec.commandLine());
        OptionsFromFlags flags = new OptionsFromFlags(spec);
        ConnectorOptions.Builder options = flags.validated();
        Duration readIdlePeriod = flags.get(Flags.READ_IDLE);
        EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), readIdlePeriod,
                () -> exit.complete(EXIT_GAVE_UP));
        LibraryLog.Level restore = LibraryLog.set(Boolean.TRUE.equals(flags.get(Flags.VERBOSE))
                ? LibraryLog.Level.INFO : LibraryLog.Level.WARN);
        try {
            Integer metricsPort = flags.get(Flags.METRICS_PORT);
            if (metricsPort != null) {
                metrics = startMetrics(metricsPort, errors);
                printer.info("METRICS", "serving Prometheus metrics at http://" + metrics.address() + MetricsEndpoint.PATH);
            }
            Endpoint first = flags.hostEndpoint();
            if (flags.demo()) {
                DemoServer.Schedule schedule = demoSchedule.fitting(readIdlePeriod);
                Integer port = flags.get(Flags.PORT);
                demoServer = startDemoServer(port == null ? 0 : port, schedule, errors);
                first = Endpoint.of(DEMO_HOST, demoServer.port());
                printer.info("DEMO_SERVER", "listening on " + demoServer.address() + ": a line every "
                        + Text.duration(schedule.lineInterval()) + ", quiet for "
                        + Text.duration(schedule.pause()) + " after every " + schedule.linesPerBurst()
                        + " lines, drops each connection after " + Text.duration(schedule.dropMin()) + ".."
                        + Text.duration(schedule.dropMax()) + "; type a line to send it");
            }
            List<Endpoint> all = flags.endpointsAfter(first);
            // Checked already with a stand-in endpoint; should a rule still object, it is one line naming the flags.
            ConnectorOptions built = errors.together(() -> options.endpoints(all).build());
            connector = ResilientConnector.builder(built)
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
            sendFailures = new SendFailures(printer::print, System::nanoTime, built.maxPendingBytes());
            ticker = startTicker(sendFailures);
            connector.start();
            forwarder = StdinForwarder.start(stdin, connector, sendFailures);
            return exit.join();
        } finally {
            closeAll();
            LibraryLog.set(restore);
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

    /** Whether every line of stdin has been handed to the connector: for tests that wait for all their input. */
    boolean stdinEnded() {
        StdinForwarder f = forwarder;
        return f != null && !f.running();
    }

    private void closeAll() {
        StdinForwarder f = forwarder;
        if (f != null) {
            f.stop();
        }
        ResilientConnector c = connector;
        if (c != null) {
            // Fails whatever still waits to be sent, as CLOSED, before the last SEND_FAILED counts are printed.
            c.close();
        }
        ScheduledExecutorService t = ticker;
        if (t != null) {
            t.shutdownNow();
        }
        SendFailures s = sendFailures;
        if (s != null) {
            s.flushAll();
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

    /** Prints the SEND_FAILED counts of a burst once its window has passed, even if nothing else is rejected. */
    private static ScheduledExecutorService startTicker(SendFailures failures) {
        ScheduledExecutorService t = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "send-failures");
            thread.setDaemon(true);
            return thread;
        });
        long period = SendFailures.WINDOW.toMillis();
        t.scheduleWithFixedDelay(failures::flushDue, period, period, TimeUnit.MILLISECONDS);
        return t;
    }

    private static MetricsEndpoint startMetrics(int metricsPort, UsageErrors errors) {
        try {
            return MetricsEndpoint.start(metricsPort);
        } catch (IOException e) {
            throw errors.invalid(Flags.METRICS_PORT, "cannot listen on 127.0.0.1:" + metricsPort + ": " + e.getMessage(),
                    "a free port");
        }
    }

    private static DemoServer startDemoServer(int demoPort, DemoServer.Schedule schedule, UsageErrors errors) {
        try {
            return DemoServer.start(demoPort, schedule, new Random());
        } catch (IOException e) {
            throw errors.invalid(Flags.PORT, e.getMessage(), "a free port for the demo server, or no --port to pick one");
        }
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
}
