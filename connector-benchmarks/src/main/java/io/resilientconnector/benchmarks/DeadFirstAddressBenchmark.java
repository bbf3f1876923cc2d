package io.resilientconnector.benchmarks;

import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.HostResolver;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Time to connect to a name whose first address is dead and whose second is live, from {@code start()} to the
 * connector's {@code connected} event. The first address either refuses (nothing listens on it) or drops every
 * SYN (a loopback listener whose accept queue is full: Linux then drops further SYNs, the same silence a
 * blackholed host gives a connect). The live server listens on the same port at 127.0.0.2.
 *
 * <p>Three behaviours: the default (fast fallback, attempt delay 250 ms); one address at a time (attempt delay
 * 0); and the connector before passes, which gave the bootstrap only the first address the resolver returned,
 * emulated with a resolver that returns only the dead address. Each run is a new connector, so no run learns
 * from the one before.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.DeadFirstAddressBenchmark \
 *     [--runs 20] [--connect-timeout-ms 3000] [--give-up-ms 5000]
 * </pre>
 */
public final class DeadFirstAddressBenchmark {

    private static final String NAME = "feed.bench";

    private DeadFirstAddressBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("dead-first-address");
        Args a = new Args(args);
        int runs = a.integer("runs", 20, 1);
        Duration connectTimeout = a.millis("connect-timeout-ms", Duration.ofSeconds(3));
        Duration giveUp = a.millis("give-up-ms", Duration.ofSeconds(5));
        a.checkAllUsed();

        System.out.println("# time to connect when the first address is dead: " + Bench.machine());
        System.out.println("# runs=" + runs + " connectTimeout=" + connectTimeout.toMillis() + "ms giveUp="
                + giveUp.toMillis() + "ms; log: " + Bench.logFile());
        List<String[]> rows = new ArrayList<>();
        warmUp(connectTimeout, giveUp);
        for (String dead : List.of("refused", "blackholed")) {
            try (DeadAddress first = DeadAddress.of(dead); ServerSocket live = liveOn("127.0.0.2", first.port())) {
                InetAddress deadIp = InetAddress.getByName("127.0.0.1");
                InetAddress liveIp = InetAddress.getByName("127.0.0.2");
                HostResolver both = host -> new InetAddress[] {deadIp, liveIp};
                HostResolver firstOnly = host -> new InetAddress[] {deadIp};
                rows.add(measure(dead, "default: fast fallback, attempt delay 250 ms", both,
                        ConnectorOptions.DEFAULT_ATTEMPT_DELAY, first.port(), connectTimeout, giveUp, runs));
                rows.add(measure(dead, "one address at a time (attempt delay 0)", both, Duration.ZERO,
                        first.port(), connectTimeout, giveUp, runs));
                rows.add(measure(dead, "before passes: the first address only", firstOnly, Duration.ZERO,
                        first.port(), connectTimeout, giveUp, Math.min(runs, 3)));
            } catch (SkipScenario e) {
                System.err.println("skipping " + dead + ": " + e.getMessage());
            }
        }
        System.out.println();
        System.out.println("| first address | behaviour | connected | median (ms) | p99 (ms) | max (ms) |");
        System.out.println("|---|---|---|---|---|---|");
        for (String[] row : rows) {
            System.out.println("| " + String.join(" | ", row) + " |");
        }
    }

    /** One connector start and connect, unmeasured, so that class loading does not land in the first run. */
    private static void warmUp(Duration connectTimeout, Duration giveUp) throws Exception {
        try (ServerSocket live = liveOn("127.0.0.2", 0)) {
            InetAddress liveIp = InetAddress.getByName("127.0.0.2");
            measure("warm-up", "", host -> new InetAddress[] {liveIp}, ConnectorOptions.DEFAULT_ATTEMPT_DELAY,
                    live.getLocalPort(), connectTimeout, giveUp, 2);
        }
    }

    private static String[] measure(String dead, String behaviour, HostResolver resolver, Duration attemptDelay,
                                    int port, Duration connectTimeout, Duration giveUp, int runs) throws Exception {
        List<Double> times = new ArrayList<>();
        int connected = 0;
        for (int i = 0; i < runs; i++) {
            CountDownLatch up = new CountDownLatch(1);
            long[] at = new long[1];
            ConnectorOptions options = ConnectorOptions.builder().endpoint(NAME, port).attemptDelay(attemptDelay)
                    .connectTimeout(connectTimeout)
                    .reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofMillis(100))
                            .jitter(Jitter.NONE).build())
                    .build();
            ResilientConnector connector = ResilientConnector.builder(options).handler(Loopback.Discard.INSTANCE)
                    .hostResolver(resolver).listener(new ConnectorListener() {
                        @Override
                        public void connected(Channel channel) {
                            at[0] = System.nanoTime();
                            up.countDown();
                        }
                    }).build();
            long start = System.nanoTime();
            connector.start();
            boolean ok = up.await(giveUp.toMillis(), TimeUnit.MILLISECONDS);
            connector.close();
            if (ok) {
                connected++;
                times.add((at[0] - start) / 1e6);
            }
        }
        double[] values = times.stream().mapToDouble(Double::doubleValue).toArray();
        System.out.printf(Locale.ROOT, "%s, %s: connected %d of %d%s%n", dead, behaviour, connected, runs,
                values.length == 0 ? " (none within " + giveUp.toMillis() + " ms)"
                        : ", median " + Bench.format(Bench.median(values), 1) + " ms");
        String never = "never, within " + giveUp.toMillis() + " ms";
        return new String[] {dead, behaviour, connected + " of " + runs,
                values.length == 0 ? never : Bench.format(Bench.median(values), 1),
                values.length == 0 ? "-" : Bench.format(Bench.quantile(values, 0.99), 1),
                values.length == 0 ? "-" : Bench.format(Bench.quantile(values, 1.0), 1)};
    }

    private static ServerSocket liveOn(String host, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1000);
        Thread acceptor = new Thread(() -> {
            List<Socket> held = new ArrayList<>();
            try {
                while (true) {
                    held.add(s.accept());
                }
            } catch (IOException closed) {
                for (Socket h : held) {
                    try {
                        h.close();
                    } catch (IOException ignored) {
                        // Closing at the end of the benchmark.
                    }
                }
            }
        }, "dead-first-address-live");
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    /** The scenario cannot run on this machine. */
    private static final class SkipScenario extends Exception {
        private static final long serialVersionUID = 1L;

        SkipScenario(String message) {
            super(message);
        }
    }

    /** A port on 127.0.0.1 that refuses, or that drops every SYN. */
    private static final class DeadAddress implements AutoCloseable {
        private final int port;
        private final List<AutoCloseable> held = new ArrayList<>();

        private DeadAddress(int port) {
            this.port = port;
        }

        static DeadAddress of(String kind) throws IOException, SkipScenario {
            InetAddress loopback = InetAddress.getByName("127.0.0.1");
            ServerSocket s = new ServerSocket(0, 1, loopback);
            if (kind.equals("refused")) {
                int port = s.getLocalPort();
                s.close();
                return new DeadAddress(port);
            }
            DeadAddress dead = new DeadAddress(s.getLocalPort());
            dead.held.add(s);
            for (int i = 0; i < 16; i++) {
                Socket filler = new Socket();
                dead.held.add(filler);
                try {
                    filler.connect(new InetSocketAddress(loopback, s.getLocalPort()), 300);
                } catch (SocketTimeoutException full) {
                    return dead;
                }
            }
            dead.close();
            throw new SkipScenario("the accept queue never filled: this system does not drop SYNs to a full listener");
        }

        int port() {
            return port;
        }

        @Override
        public void close() throws IOException {
            for (AutoCloseable c : held) {
                try {
                    c.close();
                } catch (Exception e) {
                    throw new IOException(e);
                }
            }
        }
    }
}
