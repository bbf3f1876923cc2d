package io.resilientconnector.benchmarks;

import io.resilientconnector.transport.TransportType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Item 2: memory and CPU of N idle connections, the connector against plain Netty. Four shapes side by side
 * (see {@link IdleScaleClient}): connectors sharing resources given by hand ({@code connector}), connectors made
 * the obvious way with nothing shared by hand ({@code obvious}), bare Netty channels ({@code plain}) and Netty's
 * UptimeClient shape ({@code uptime}: an {@code IdleStateHandler} and a small handler per channel). A
 * {@link HoldServer} process holds the server ends; each measurement is a fresh {@link IdleScaleClient} process,
 * so neither the server's heap nor an earlier run's leftovers are counted. Heap per connection is the
 * least-squares slope of heap-after-GC over the connection counts (zero included). CPU is the client
 * process's CPU time over a window while every connection is idle, as a percentage of one core; the connector's
 * default 5 s read-idle timer, and the UptimeClient shape's, fires on every connection throughout it. The window
 * opens {@code --cpu-delay-ms} after the last connect, by default two read timeouts and 2 s, so that the JIT has
 * compiled the timer's path by then: it first runs a read timeout after each connect.
 *
 * <p>With {@code --histograms yes}, the first run of each shape also writes class histograms of its heap, and
 * the benchmark prints, per class, the bytes per connection between the smallest and the largest count.
 *
 * <p>Each connection takes a file descriptor in the client and one in the server, so the largest count must
 * fit under the open-file limit, less a margin; if it does not, the benchmark says so and exits before it starts.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.IdleScaleBenchmark \
 *     [--transports epoll,nio] [--impls connector,obvious,plain,uptime] [--counts 5000,10000,15000,50000] \
 *     [--cpu-at 10000] [--cpu-window-ms 20000] [--cpu-delay-ms 12000] [--runs 3] [--ports 4] [--group-threads 2] [--batch 500] \
 *     [--settle-ms 1000] [--histograms no] [--histogram-rows 25]
 * </pre>
 */
public final class IdleScaleBenchmark {

    /** Goals for the connector's shapes: heap per connection against plain Netty, and against UptimeClient's. */
    static final double GOAL_HEAP_RATIO_PLAIN = 1.3;
    static final double GOAL_HEAP_RATIO_UPTIME = 1.1;
    static final double GOAL_IDLE_CPU_PERCENT = 0.5;

    private IdleScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("idle-scale");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        List<String> impls = new ArrayList<>();
        for (String impl : a.string("impls", String.join(",", IdleScaleClient.IMPLS)).split(",")) {
            if (!IdleScaleClient.IMPLS.contains(impl.trim()) || impls.contains(impl.trim())) {
                throw new SetupException("impls: " + impl + " (expected: distinct ones of " + IdleScaleClient.IMPLS + ")");
            }
            impls.add(impl.trim());
        }
        List<Integer> requested = a.integers("counts", "5000,10000,15000,50000", 1);
        int cpuAt = a.integer("cpu-at", 10_000, 1);
        int windowMs = a.integer("cpu-window-ms", 20_000, 1);
        int delayMs = a.integer("cpu-delay-ms", 12_000, 0);
        int runs = a.integer("runs", 3, 1);
        int portCount = a.integer("ports", 4, 1);
        int groupThreads = a.integer("group-threads", 2, 1);
        int batch = a.integer("batch", 500, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        boolean histograms = "yes".equals(a.choice("histograms", "no", "yes", "no"));
        int histogramRows = a.integer("histogram-rows", 25, 1);
        a.checkAllUsed();

        List<Integer> counts = new ArrayList<>(new java.util.TreeSet<>(requested));
        int most = counts.get(counts.size() - 1);
        if (!counts.contains(cpuAt)) {
            throw new SetupException("cpu-at: " + cpuAt + " (expected: one of the counts, " + requested + ")");
        }
        if (histograms && counts.size() < 2) {
            throw new SetupException("counts: " + requested + " (expected: at least two with --histograms yes)");
        }
        // The hold server holds every connection's other end, so both processes need the same.
        long fdLimit = Bench.requireOpenFiles(most, "the idle-scale benchmark");
        Bench.requirePortsFor(most, portCount);
        System.out.println("# idle scale: " + Bench.machine() + "; open-file limit " + fdLimit);
        System.out.println("# impls=" + impls + " counts=" + counts + " cpu-at=" + cpuAt + " window=" + windowMs
                + "ms after " + delayMs + "ms runs=" + runs + " ports=" + portCount + " group-threads=" + groupThreads
                + "; log: " + Bench.logFile());

        // results.get(transport + impl) -> one Measurement per run
        Map<String, List<Measurement>> results = new LinkedHashMap<>();
        Map<TransportType, Path> histogramDirs = new LinkedHashMap<>();
        TransportType serverTransport = transports.get(0);
        try (ChildJvm server = ChildJvm.start(HoldServer.class,
                List.of("--transport", serverTransport.name(), "--ports", String.valueOf(portCount),
                        "--threads", "1", "--max-seconds", "7200"))) {
            String ports = server.expect("PORTS", Duration.ofSeconds(30));
            for (int run = 1; run <= runs; run++) {
                for (TransportType transport : transports) {
                    Path dir = null;
                    if (histograms && run == 1) {
                        dir = Files.createTempDirectory("idle-scale-histograms-" + transport.name().toLowerCase(Locale.ROOT));
                        histogramDirs.put(transport, dir);
                    }
                    for (int i = 0; i < impls.size(); i++) {
                        // Rotate the order each run, so no shape always goes first.
                        String impl = impls.get((i + run - 1) % impls.size());
                        Measurement m = measure(transport, impl, ports, counts, cpuAt, windowMs, delayMs, groupThreads,
                                batch, settleMs, dir);
                        results.computeIfAbsent(transport + " " + impl, k -> new ArrayList<>()).add(m);
                        System.out.printf(Locale.ROOT, "RUN %d %s %s: %.0f B/connection, threads %d (event loops %d), idle CPU %s%n",
                                run, transport, impl, m.slope, m.threadsAtMost, m.nettyThreadsAtMost,
                                Double.isNaN(m.cpuPercent) ? "-" : Bench.format(m.cpuPercent, 2) + "% of a core");
                        HoldServer.awaitEmpty(server);
                    }
                }
            }
        }

        System.out.println();
        System.out.println("| transport | pipeline | heap/connection (B), median (range) | × plain (goal <= "
                + GOAL_HEAP_RATIO_PLAIN + ") | × uptime (goal <= " + GOAL_HEAP_RATIO_UPTIME + ") | threads at " + most
                + " (event loops) | idle CPU at " + cpuAt + ", % of one core, median (range) | heap after GC by N (MiB) |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        for (TransportType transport : transports) {
            List<Measurement> plain = results.get(transport + " plain");
            List<Measurement> uptime = results.get(transport + " uptime");
            double plainSlope = plain == null ? Double.NaN : Bench.median(plain, m -> m.slope);
            double uptimeSlope = uptime == null ? Double.NaN : Bench.median(uptime, m -> m.slope);
            for (String impl : impls) {
                List<Measurement> ms = results.get(transport + " " + impl);
                boolean ours = impl.equals("connector") || impl.equals("obvious");
                double slope = Bench.median(ms, m -> m.slope);
                double[] cpus = ms.stream().mapToDouble(m -> m.cpuPercent).filter(c -> !Double.isNaN(c)).toArray();
                double cpu = Bench.median(cpus);
                StringBuilder heaps = new StringBuilder();
                for (int count : ms.get(0).heapByCount.keySet()) {
                    double heap = Bench.median(ms, m -> m.heapByCount.get(count));
                    heaps.append(heaps.length() == 0 ? "" : ", ").append(count).append(": ")
                            .append(Bench.format(heap / (1 << 20), 1));
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f (%s) | %s | %s | %d (%d) | %s | %s |%n",
                        transport.name().toLowerCase(Locale.ROOT), impl, slope, Bench.range(ms.stream().mapToDouble(m -> m.slope).toArray(), 0),
                        ratio(slope, plainSlope, ours ? GOAL_HEAP_RATIO_PLAIN : Double.NaN),
                        ratio(slope, uptimeSlope, ours ? GOAL_HEAP_RATIO_UPTIME : Double.NaN),
                        (int) Bench.median(ms, m -> m.threadsAtMost), (int) Bench.median(ms, m -> m.nettyThreadsAtMost),
                        Double.isNaN(cpu) ? "-" : Bench.format(cpu, 2) + " (" + Bench.range(cpus, 2) + ")" + (ours
                                ? (cpu <= GOAL_IDLE_CPU_PERCENT ? " met" : " missed") : ""),
                        heaps);
            }
        }
        for (Map.Entry<TransportType, Path> e : histogramDirs.entrySet()) {
            HeapHistogram.printPerConnection(e.getKey(), e.getValue(), impls, counts.get(0), most, histogramRows);
        }
    }

    private static String ratio(double slope, double base, double goal) {
        if (Double.isNaN(base)) {
            return "-";
        }
        double r = slope / base;
        return Bench.format(r, 2) + (Double.isNaN(goal) ? "" : r <= goal ? " met" : " missed");
    }

    private static Measurement measure(TransportType transport, String impl, String ports, List<Integer> counts,
                                       int cpuAt, int windowMs, int delayMs, int groupThreads, int batch, int settleMs,
                                       Path histograms)
            throws Exception {
        List<String> args = new ArrayList<>(List.of("--transport", transport.name(), "--impl", impl, "--ports", ports,
                "--counts", counts.toString().replaceAll("[\\[\\] ]", ""), "--cpu-at", String.valueOf(cpuAt),
                "--cpu-window-ms", String.valueOf(windowMs), "--cpu-delay-ms", String.valueOf(delayMs), "--group-threads", String.valueOf(groupThreads),
                "--batch", String.valueOf(batch), "--settle-ms", String.valueOf(settleMs)));
        if (histograms != null) {
            args.addAll(List.of("--histograms", histograms.toString()));
        }
        Measurement m = new Measurement();
        try (ChildJvm client = ChildJvm.start(IdleScaleClient.class, args)) {
            Duration step = Duration.ofSeconds(120);
            for (int i = 0; i <= counts.size(); i++) {
                String[] point = client.expect("POINT", step).split(" ");
                int n = Integer.parseInt(point[0]);
                m.heapByCount.put(n, Double.parseDouble(point[1]));
                m.threadsAtMost = Math.max(m.threadsAtMost, Integer.parseInt(point[2]));
                m.nettyThreadsAtMost = Math.max(m.nettyThreadsAtMost, Integer.parseInt(point[3]));
                if (n == cpuAt) {
                    String[] cpu = client.expect("CPU", Duration.ofMillis(windowMs + delayMs).plus(step)).split(" ");
                    m.cpuPercent = 100.0 * Double.parseDouble(cpu[1]) / Double.parseDouble(cpu[2]);
                }
            }
            client.expect("DONE", step);
            client.await(Duration.ofSeconds(30));
        }
        double[] x = m.heapByCount.keySet().stream().mapToDouble(Integer::doubleValue).toArray();
        double[] y = m.heapByCount.values().stream().mapToDouble(Double::doubleValue).toArray();
        m.slope = Bench.slope(x, y);
        return m;
    }

    private static final class Measurement {
        final Map<Integer, Double> heapByCount = new TreeMap<>();
        int threadsAtMost;
        int nettyThreadsAtMost;
        double cpuPercent = Double.NaN;
        double slope;
    }
}
