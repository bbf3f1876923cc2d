package io.resilientconnector.benchmarks;

import io.resilientconnector.transport.TransportType;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Item 2: memory and CPU of N idle connections on one event loop group, connector against plain Netty. A
 * {@link HoldServer} process holds the server ends; each measurement is a fresh {@link IdleScaleClient}
 * process, so neither the server's heap nor an earlier run's leftovers are counted. Heap per connection is the
 * least-squares slope of heap-after-GC over the connection counts (zero included). CPU is the client
 * process's CPU time over a window while every connection is idle, as a percentage of one core; the connector's
 * default 5 s read-idle timer fires on every connection throughout it.
 *
 * <p>Each connection takes a file descriptor in the client and one in the server, so the largest count must
 * fit under the open-file limit, less a margin; if it does not, the benchmark says so and exits before it starts.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.IdleScaleBenchmark \
 *     [--transports epoll,nio] [--counts 5000,10000,15000,50000] [--cpu-at 10000] [--cpu-window-ms 20000] \
 *     [--runs 3] [--ports 4] [--group-threads 2] [--batch 500] [--settle-ms 1000]
 * </pre>
 */
public final class IdleScaleBenchmark {

    static final double GOAL_HEAP_RATIO = 1.25;
    static final double GOAL_IDLE_CPU_PERCENT = 2.0;

    private IdleScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("idle-scale");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        List<Integer> requested = a.integers("counts", "5000,10000,15000,50000", 1);
        int cpuAt = a.integer("cpu-at", 10_000, 1);
        int windowMs = a.integer("cpu-window-ms", 20_000, 1);
        int runs = a.integer("runs", 3, 1);
        int portCount = a.integer("ports", 4, 1);
        int groupThreads = a.integer("group-threads", 2, 1);
        int batch = a.integer("batch", 500, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        a.checkAllUsed();

        List<Integer> counts = new ArrayList<>(new java.util.TreeSet<>(requested));
        int most = counts.get(counts.size() - 1);
        if (!counts.contains(cpuAt)) {
            throw new SetupException("cpu-at: " + cpuAt + " (expected: one of the counts, " + requested + ")");
        }
        // The hold server holds every connection's other end, so both processes need the same.
        long fdLimit = Bench.requireOpenFiles(most, "the idle-scale benchmark");
        Bench.requirePortsFor(most, portCount);
        System.out.println("# idle scale: " + Bench.machine() + "; open-file limit " + fdLimit);
        System.out.println("# counts=" + counts + " cpu-at=" + cpuAt + " window=" + windowMs + "ms runs=" + runs
                + " ports=" + portCount + " group-threads=" + groupThreads + "; log: " + Bench.logFile());

        // results.get(transport + impl) -> one Measurement per run
        Map<String, List<Measurement>> results = new LinkedHashMap<>();
        TransportType serverTransport = transports.get(0);
        try (ChildJvm server = ChildJvm.start(HoldServer.class,
                List.of("--transport", serverTransport.name(), "--ports", String.valueOf(portCount),
                        "--threads", "1", "--max-seconds", "7200"))) {
            String ports = server.expect("PORTS", Duration.ofSeconds(30));
            for (int run = 1; run <= runs; run++) {
                for (TransportType transport : transports) {
                    String[] order = run % 2 == 1 ? new String[] {"connector", "plain"} : new String[] {"plain", "connector"};
                    for (String impl : order) {
                        Measurement m = measure(transport, impl, ports, counts, cpuAt, windowMs, groupThreads, batch, settleMs);
                        results.computeIfAbsent(transport + " " + impl, k -> new ArrayList<>()).add(m);
                        System.out.printf(Locale.ROOT, "RUN %d %s %s: %.0f B/connection, threads %d, idle CPU %s%n",
                                run, transport, impl, m.slope, m.threadsAtMost,
                                Double.isNaN(m.cpuPercent) ? "-" : Bench.format(m.cpuPercent, 2) + "% of a core");
                        HoldServer.awaitEmpty(server);
                    }
                }
            }
        }

        System.out.println();
        System.out.println("| transport | pipeline | heap/connection (B) | ratio to plain | threads at " + most
                + " | idle CPU at " + cpuAt + " (% of one core) | heap after GC by N (MiB) |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (TransportType transport : transports) {
            double plainSlope = Bench.median(results.get(transport + " plain"), m -> m.slope);
            for (String impl : new String[] {"connector", "plain"}) {
                List<Measurement> ms = results.get(transport + " " + impl);
                double slope = Bench.median(ms, m -> m.slope);
                double cpu = Bench.median(ms.stream().map(m -> m.cpuPercent).filter(c -> !Double.isNaN(c))
                        .mapToDouble(Double::doubleValue).toArray());
                StringBuilder heaps = new StringBuilder();
                for (int count : ms.get(0).heapByCount.keySet()) {
                    double heap = Bench.median(ms, m -> m.heapByCount.get(count));
                    heaps.append(heaps.length() == 0 ? "" : ", ").append(count).append(": ")
                            .append(Bench.format(heap / (1 << 20), 1));
                }
                System.out.printf(Locale.ROOT, "| %s | %s | %.0f | %s | %d | %s | %s |%n",
                        transport.name().toLowerCase(Locale.ROOT), impl, slope,
                        "connector".equals(impl) ? Bench.format(slope / plainSlope, 2) + " (goal <= " + GOAL_HEAP_RATIO + ": "
                                + (slope / plainSlope <= GOAL_HEAP_RATIO ? "met" : "missed") + ")" : "1",
                        (int) Bench.median(ms, m -> m.threadsAtMost),
                        Double.isNaN(cpu) ? "-" : Bench.format(cpu, 2) + ("connector".equals(impl)
                                ? " (goal < " + GOAL_IDLE_CPU_PERCENT + ": " + (cpu < GOAL_IDLE_CPU_PERCENT ? "met" : "missed") + ")" : ""),
                        heaps);
            }
        }
    }

    private static Measurement measure(TransportType transport, String impl, String ports, List<Integer> counts,
                                       int cpuAt, int windowMs, int groupThreads, int batch, int settleMs)
            throws Exception {
        List<String> args = List.of("--transport", transport.name(), "--impl", impl, "--ports", ports,
                "--counts", counts.toString().replaceAll("[\\[\\] ]", ""), "--cpu-at", String.valueOf(cpuAt),
                "--cpu-window-ms", String.valueOf(windowMs), "--group-threads", String.valueOf(groupThreads),
                "--batch", String.valueOf(batch), "--settle-ms", String.valueOf(settleMs));
        Measurement m = new Measurement();
        try (ChildJvm client = ChildJvm.start(IdleScaleClient.class, args)) {
            Duration step = Duration.ofSeconds(120);
            for (int i = 0; i <= counts.size(); i++) {
                String[] point = client.expect("POINT", step).split(" ");
                int n = Integer.parseInt(point[0]);
                m.heapByCount.put(n, Double.parseDouble(point[1]));
                m.threadsAtMost = Math.max(m.threadsAtMost, Integer.parseInt(point[2]));
                if (n == cpuAt) {
                    String[] cpu = client.expect("CPU", Duration.ofMillis(windowMs).plus(step)).split(" ");
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
        double cpuPercent = Double.NaN;
        double slope;
    }
}
