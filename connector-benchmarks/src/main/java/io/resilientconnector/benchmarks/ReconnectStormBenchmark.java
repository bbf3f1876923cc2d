package io.resilientconnector.benchmarks;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.Disconnection;
import io.resilientconnector.transport.TransportType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Item 3: a reconnect storm. N connectors on one event loop group are connected to a {@link HoldServer}
 * process; the server stops listening and closes every connection, stays down, then listens again. For each
 * jitter this reports the time from the server's return until every connector is connected again, the connects
 * per 100 ms after its return (peak and mean), and the connect attempts made in all, refused ones included.
 * With {@code --rate-limit}, one more storm per run uses the default jitter on resources with that connect-rate
 * limit, and reports the most attempts in any one second against the limit. With {@code --arrivals yes}, each
 * storm also prints its connects per 500 ms from the server's return (the shape behind the peak), and its attempts
 * per 100 ms in its busiest second (where an excess over a rate limit comes from). Each storm
 * ends by closing every connector at once, and reports how long that took.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.ReconnectStormBenchmark \
 *     [--transports epoll,nio] [--connections 10000] \
 *     [--jitters PHASED,FULL,NONE,EQUAL,DECORRELATED] [--rate-limit 0] [--initial-ms 100] [--max-ms 5000] \
 *     [--down-ms 5000] [--runs 3] [--ports 4] [--group-threads 2] [--settle-ms 1000] [--arrivals no] \
 *     [--close-timeout-s 600]
 * </pre>
 */
public final class ReconnectStormBenchmark {

    private static final long BUCKET_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long SECOND_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** Goals for the default jitter: a flat storm, everyone back within the cap and this slack. */
    static final double GOAL_PEAK_TO_MEAN = 1.1;
    static final Duration GOAL_SLACK = Duration.ofSeconds(1);

    private ReconnectStormBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("reconnect-storm");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        int connections = a.integer("connections", 10_000, 1);
        List<Jitter> jitters = new ArrayList<>();
        for (String name : a.string("jitters", "PHASED,FULL,NONE,EQUAL,DECORRELATED").split(",")) {
            jitters.add(Args.constant(Jitter.class, "jitters", name));
        }
        int rateLimit = a.integer("rate-limit", 0, 0, (int) ConnectorResources.MAX_CONNECT_RATE);
        Duration initial = a.millis("initial-ms", Duration.ofMillis(100));
        Duration max = a.millis("max-ms", Duration.ofSeconds(5));
        Duration down = a.millis("down-ms", Duration.ofSeconds(5));
        int runs = a.integer("runs", 3, 1);
        int portCount = a.integer("ports", 4, 1);
        int groupThreads = a.integer("group-threads", 2, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        boolean arrivals = "yes".equals(a.choice("arrivals", "no", "yes", "no"));
        int closeTimeoutSeconds = a.integer("close-timeout-s", 600, 1);
        a.checkAllUsed();
        long fdLimit = Bench.requireOpenFiles(connections, "the reconnect storm");
        Bench.requirePortsFor(connections, portCount);

        System.out.println("# reconnect storm: " + Bench.machine() + "; open-file limit " + fdLimit);
        System.out.println("# connections=" + connections + " backoff initial=" + initial.toMillis() + "ms max="
                + max.toMillis() + "ms multiplier=" + ReconnectPolicy.DEFAULT_MULTIPLIER + " down=" + down.toMillis()
                + "ms default jitter=" + ReconnectPolicy.DEFAULT_JITTER + " rate-limit=" + (rateLimit == 0 ? "none" : rateLimit + "/s")
                + " runs=" + runs + " ports=" + portCount + " group-threads=" + groupThreads + "; log: " + Bench.logFile());
        Map<String, List<Storm>> results = new LinkedHashMap<>();
        try (ChildJvm server = ChildJvm.start(HoldServer.class, List.of("--transport", transports.get(0).name(),
                "--ports", String.valueOf(portCount), "--threads", "1", "--max-seconds", "7200"))) {
            List<Integer> ports = new ArrayList<>();
            for (String port : server.expect("PORTS", Duration.ofSeconds(30)).split(",")) {
                ports.add(Integer.parseInt(port));
            }
            for (int run = 1; run <= runs; run++) {
                for (TransportType transport : transports) {
                    int kinds = jitters.size() + (rateLimit > 0 ? 1 : 0);
                    for (int j = 0; j < kinds; j++) {
                        // Rotate the order each run, so no jitter always follows the same one.
                        int k = (j + run - 1) % kinds;
                        boolean limited = k == jitters.size();
                        Jitter jitter = limited ? ReconnectPolicy.DEFAULT_JITTER : jitters.get(k);
                        int limit = limited ? rateLimit : 0;
                        Storm storm = storm(server, ports, transport, jitter, limit, closeTimeoutSeconds, connections, initial, max, down,
                                groupThreads, run, settleMs);
                        String label = jitter + (limited ? "@" + rateLimit + "/s" : "");
                        results.computeIfAbsent(transport + " " + label, x -> new ArrayList<>()).add(storm);
                        System.out.printf(Locale.ROOT, "RUN %d %s %s: all back %.2f s after up (%.2f s after down), "
                                        + "peak %d / mean %.1f connects per 100 ms, %d attempts, at most %d in 1 s, "
                                        + "closed all in %.1f s%s%n",
                                run, transport, label, storm.backAfterUp, storm.backAfterDown, storm.peak, storm.mean,
                                storm.attempts, storm.peakAttemptsPerSecond, storm.closeSeconds,
                                storm.missing > 0 ? ", " + storm.missing + " NOT BACK" : "");
                        if (arrivals) {
                            System.out.println("ARRIVALS " + run + " " + transport + " " + label
                                    + ": connects per 500 ms from the server's return: " + storm.arrivals);
                            System.out.println("ATTEMPTS " + run + " " + transport + " " + label
                                    + ": attempts per 100 ms in the busiest second, from " + storm.busiestAttempts);
                        }
                        HoldServer.awaitEmpty(server);
                    }
                }
            }
        }

        System.out.println();
        System.out.println("| transport | jitter | all back after up (s) | after down (s) | peak connects / 100 ms | mean / 100 ms "
                + "| peak / mean, median (range) | uniform phases' peak / mean | most connects in 1 s / mean per s | attempts | attempts / connection | peak attempts / 100 ms | most attempts in 1 s | closing all (s) "
                + "| goal (" + ReconnectPolicy.DEFAULT_JITTER + ": peak <= " + GOAL_PEAK_TO_MEAN + "x mean, back <= "
                + (max.plus(GOAL_SLACK).toMillis() / 1000.0) + " s; limited: most in 1 s <= the limit) |");
        System.out.println("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<Storm>> e : results.entrySet()) {
            List<Storm> storms = e.getValue();
            String[] key = e.getKey().split(" ");
            boolean limited = key[1].contains("@");
            double back = Bench.median(storms, s -> s.backAfterUp);
            double backDown = Bench.median(storms, s -> s.backAfterDown);
            double peak = Bench.median(storms, s -> s.peak);
            double mean = Bench.median(storms, s -> s.mean);
            double ratio = Bench.median(storms, s -> s.peak / s.mean);
            double attempts = Bench.median(storms, s -> s.attempts);
            double peakAttempts = Bench.median(storms, s -> s.peakAttempts);
            int mostInSecond = storms.stream().mapToInt(s -> s.peakAttemptsPerSecond).max().orElse(0);
            double[] ratios = storms.stream().mapToDouble(s -> s.peak / s.mean).toArray();
            int missing = storms.stream().mapToInt(s -> s.missing).max().orElse(0);
            String goal = "-";
            if (limited) {
                goal = mostInSecond <= rateLimit + ConnectorResources.DEFAULT_CONNECT_BURST && missing == 0 ? "met" : "missed";
            } else if (Jitter.valueOf(key[1]) == ReconnectPolicy.DEFAULT_JITTER) {
                boolean met = ratio <= GOAL_PEAK_TO_MEAN && back <= max.plus(GOAL_SLACK).toMillis() / 1000.0 && missing == 0;
                goal = met ? "met" : "missed";
            }
            System.out.printf(Locale.ROOT, "| %s | %s | %.2f%s | %.2f | %.0f | %.1f | %.2f (%s) | %.2f | %.2f | %.0f | %.2f | %.0f | %d | %.1f | %s |%n",
                    key[0].toLowerCase(Locale.ROOT), key[1], back, missing > 0 ? " (" + missing + " never back)" : "",
                    backDown, peak, mean, ratio, Bench.range(ratios, 2), Bench.median(storms, s -> s.uniformPeakToMean),
                    Bench.median(storms, s -> s.peakToMeanPerSecond), attempts, attempts / connections, peakAttempts,
                    mostInSecond, Bench.median(storms, s -> s.closeSeconds), goal);
        }
    }

    private static Storm storm(ChildJvm server, List<Integer> ports, TransportType transport, Jitter jitter,
                               int rateLimit, int closeTimeoutSeconds, int n, Duration initial, Duration max, Duration down, int groupThreads, int run,
                               int settleMs)
            throws Exception {
        EventLoopGroup group = Loopback.group(transport, groupThreads, "storm-client");
        ConnectorResources.Builder resourcesBuilder = ConnectorResources.builder().eventLoopGroup(group);
        if (rateLimit > 0) {
            resourcesBuilder.connectRateLimit(rateLimit);
        }
        ConnectorResources resources = resourcesBuilder.build();
        EventClock connects = new EventClock(n * 4);
        EventClock failures = new EventClock(n * 64);
        AtomicInteger up = new AtomicInteger();
        CountDownLatch[] allUp = {new CountDownLatch(n)};
        ConnectorListener listener = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                connects.record();
                up.incrementAndGet();
                allUp[0].countDown();
            }

            @Override
            public void disconnected(Disconnection why) {
                up.decrementAndGet();
            }

            @Override
            public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                failures.record();
            }
        };
        ReconnectPolicy policy = ReconnectPolicy.builder()
                .initialDelay(initial).maxDelay(max).jitter(jitter).build();
        List<ResilientConnector> connectors = new ArrayList<>(n);
        Storm storm = new Storm();
        try {
            Random seeds = new Random(31L * run + jitter.ordinal());
            for (int i = 0; i < n; i++) {
                ConnectorOptions options = ConnectorOptions.builder().endpoint(Loopback.HOST, ports.get(i % ports.size()))
                        .transport(transport).reconnect(policy).build();
                connectors.add(ResilientConnector.builder(options).handler(Loopback.Discard.INSTANCE)
                        .resources(resources).random(new Random(seeds.nextLong())).listener(listener).build().start());
                if (i % 500 == 499) {
                    // Ramp up in batches, well inside the server's accept backlog.
                    awaitCount(up, i + 1, Duration.ofSeconds(60));
                }
            }
            if (!allUp[0].await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("only " + up.get() + " of " + n + " connected before the storm");
            }
            Thread.sleep(settleMs);
            connects.clear();
            failures.clear();
            allUp[0] = new CountDownLatch(n);

            storm.downAt = System.nanoTime();
            server.send("down");
            server.expect("DOWN", Duration.ofSeconds(60));
            Thread.sleep(down.toMillis());
            server.send("up");
            storm.upAt = Long.parseLong(server.expect("UP", Duration.ofSeconds(60)));
            boolean allBack = allUp[0].await(max.toMillis() + 60_000, TimeUnit.MILLISECONDS);
            storm.missing = allBack ? 0 : (int) allUp[0].getCount();
        } finally {
            long closeStart = System.nanoTime();
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (ResilientConnector connector : connectors) {
                closing.add(connector.closeAsync());
            }
            CompletableFuture.allOf(closing.toArray(new CompletableFuture<?>[0])).get(closeTimeoutSeconds, TimeUnit.SECONDS);
            storm.closeSeconds = (System.nanoTime() - closeStart) / 1e9;
            Loopback.shutdown(group);
        }

        long[] connectTimes = connects.sorted();
        long[] failureTimes = failures.sorted();
        // Times are compared with the server's, which reads the same monotonic clock.
        long upAt = storm.upAt;
        storm.attempts = connects.count() + failures.count();
        long last = connectTimes.length == 0 ? upAt : connectTimes[connectTimes.length - 1];
        storm.backAfterUp = (last - upAt) / 1e9;
        storm.backAfterDown = (last - storm.downAt) / 1e9;
        int[] buckets = EventClock.buckets(connectTimes, upAt, Math.max(last, upAt + 1), BUCKET_NANOS);
        storm.peak = Arrays.stream(buckets).max().orElse(0);
        storm.mean = (double) connectTimes.length / buckets.length;
        storm.arrivals = Arrays.toString(EventClock.buckets(connectTimes, upAt, Math.max(last, upAt + 1), 5 * BUCKET_NANOS));
        storm.uniformPeakToMean = uniformPeakToMean(connectTimes.length, buckets.length, new Random(run));
        double windowSeconds = Math.max(last - upAt, 1) / 1e9;
        // Under a second, a second's worth of connects means nothing.
        storm.peakToMeanPerSecond = connectTimes.length == 0 || windowSeconds < 1 ? Double.NaN
                : mostWithin(connectTimes, SECOND_NANOS) / (connectTimes.length / windowSeconds);
        long[] attemptTimes = new long[connectTimes.length + failureTimes.length];
        System.arraycopy(connectTimes, 0, attemptTimes, 0, connectTimes.length);
        System.arraycopy(failureTimes, 0, attemptTimes, connectTimes.length, failureTimes.length);
        storm.peakAttempts = Arrays.stream(EventClock.buckets(attemptTimes, storm.downAt, Math.max(last, storm.downAt + 1),
                BUCKET_NANOS)).max().orElse(0);
        Arrays.sort(attemptTimes);
        int[] busiestSecond = busiestWindow(attemptTimes, SECOND_NANOS);
        storm.peakAttemptsPerSecond = busiestSecond[0];
        if (attemptTimes.length > 0) {
            long busiest = attemptTimes[busiestSecond[1]];
            storm.busiestAttempts = String.format(Locale.ROOT, "%.2f s after down: %s", (busiest - storm.downAt) / 1e9,
                    Arrays.toString(EventClock.buckets(attemptTimes, busiest, busiest + SECOND_NANOS - 1, BUCKET_NANOS)));
        }
        return storm;
    }

    /**
     * Peak over mean of {@code n} arrivals drawn independently and uniformly over {@code buckets} buckets: what
     * a perfectly flat storm of random phases shows in this benchmark's measure, by chance alone. The median of
     * 201 draws.
     */
    static double uniformPeakToMean(int n, int buckets, Random random) {
        if (n == 0) {
            return Double.NaN;
        }
        double[] ratios = new double[201];
        int[] counts = new int[buckets];
        for (int draw = 0; draw < ratios.length; draw++) {
            Arrays.fill(counts, 0);
            int peak = 0;
            for (int i = 0; i < n; i++) {
                peak = Math.max(peak, ++counts[random.nextInt(buckets)]);
            }
            ratios[draw] = peak / ((double) n / buckets);
        }
        return Bench.median(ratios);
    }

    /**
     * The window of {@code windowNanos} that holds the most of {@code sorted}: how many it holds, and the index in
     * {@code sorted} where it starts ({@code {0, 0}} when {@code sorted} is empty).
     */
    static int[] busiestWindow(long[] sorted, long windowNanos) {
        int most = 0;
        int start = 0;
        int from = 0;
        for (int to = 0; to < sorted.length; to++) {
            while (sorted[to] - sorted[from] >= windowNanos) {
                from++;
            }
            if (to - from + 1 > most) {
                most = to - from + 1;
                start = from;
            }
        }
        return new int[] {most, start};
    }

    /** The most of {@code sorted} within any window of {@code windowNanos}. */
    static int mostWithin(long[] sorted, long windowNanos) {
        return busiestWindow(sorted, windowNanos)[0];
    }

    private static void awaitCount(AtomicInteger counter, int atLeast, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (counter.get() < atLeast) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("only " + counter.get() + " of " + atLeast + " connected within " + timeout);
            }
            Thread.sleep(10);
        }
    }

    private static final class Storm {
        long downAt;
        long upAt;
        double backAfterUp;
        double backAfterDown;
        int peak;
        double mean;
        long attempts;
        int missing;
        int peakAttempts;
        int peakAttemptsPerSecond;
        double uniformPeakToMean;
        double peakToMeanPerSecond;
        String arrivals;
        String busiestAttempts = "none";
        double closeSeconds;
    }
}
