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
 * Item 2, threads: threads for N connectors made the obvious way: {@code ResilientConnector.builder(options).handler(h).build()
 * .start()}, each from its own options, no resources given, so they share the process-wide default. Beside them,
 * plain Netty's obvious way: one {@code Bootstrap} on a group of Netty's default size (twice the cores). Each
 * run is a fresh {@link IdleScaleClient} process connected to a {@link HoldServer}; it counts the whole JVM's
 * live threads, and its event-loop threads (those made by Netty's thread factory, less its global executor's).
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.ThreadsBenchmark \
 *     [--transports epoll,nio] [--counts 100,1000,10000] [--runs 1] [--ports 4] [--batch 500] [--settle-ms 1000]
 * </pre>
 */
public final class ThreadsBenchmark {

    private ThreadsBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("threads");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        List<Integer> counts = new ArrayList<>(new java.util.TreeSet<>(a.integers("counts", "100,1000,10000", 1)));
        int runs = a.integer("runs", 1, 1);
        int portCount = a.integer("ports", 4, 1);
        int batch = a.integer("batch", 500, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        a.checkAllUsed();
        int most = counts.get(counts.size() - 1);
        long fdLimit = Bench.requireOpenFiles(most, "the threads benchmark");
        Bench.requirePortsFor(most, portCount);
        int cores = Runtime.getRuntime().availableProcessors();
        System.out.println("# threads: " + Bench.machine() + "; open-file limit " + fdLimit);
        System.out.println("# counts=" + counts + " runs=" + runs + " ports=" + portCount + "; log: " + Bench.logFile());

        // transport + impl -> count -> {threads, netty threads} per run
        Map<String, Map<Integer, List<int[]>>> results = new LinkedHashMap<>();
        try (ChildJvm server = ChildJvm.start(HoldServer.class, List.of("--transport", transports.get(0).name(),
                "--ports", String.valueOf(portCount), "--threads", "1", "--max-seconds", "3600"))) {
            String ports = server.expect("PORTS", Duration.ofSeconds(30));
            for (int run = 1; run <= runs; run++) {
                for (TransportType transport : transports) {
                    String[] order = run % 2 == 1 ? new String[] {"obvious", "plain"} : new String[] {"plain", "obvious"};
                    for (String impl : order) {
                        List<String> clientArgs = List.of("--transport", transport.name(), "--impl", impl,
                                "--ports", ports, "--counts", counts.toString().replaceAll("[\\[\\] ]", ""),
                                "--cpu-at", "0", "--group-threads", "0", "--batch", String.valueOf(batch),
                                "--settle-ms", String.valueOf(settleMs));
                        Map<Integer, List<int[]>> byCount = results.computeIfAbsent(transport + " " + impl,
                                k -> new TreeMap<>());
                        StringBuilder line = new StringBuilder();
                        try (ChildJvm client = ChildJvm.start(IdleScaleClient.class, clientArgs)) {
                            for (int i = 0; i <= counts.size(); i++) {
                                String[] point = client.expect("POINT", Duration.ofSeconds(120)).split(" ");
                                int n = Integer.parseInt(point[0]);
                                int[] t = {Integer.parseInt(point[2]), Integer.parseInt(point[3])};
                                byCount.computeIfAbsent(n, k -> new ArrayList<>()).add(t);
                                line.append(' ').append(n).append(": ").append(t[0]).append(" (").append(t[1]).append(')');
                            }
                            client.expect("DONE", Duration.ofSeconds(120));
                            client.await(Duration.ofSeconds(30));
                        }
                        System.out.println("RUN " + run + " " + transport + " " + impl + ": JVM threads (event loops) by N:" + line);
                        HoldServer.awaitEmpty(server);
                    }
                }
            }
        }

        System.out.println();
        StringBuilder header = new StringBuilder("| transport | made | ");
        StringBuilder rule = new StringBuilder("|---|---|");
        for (int n : counts) {
            header.append(String.format(Locale.ROOT, "N = %,d: JVM threads (event loops) | ", n));
            rule.append("---|");
        }
        System.out.println(header + "goal: event loops <= " + cores + " cores whatever N |");
        System.out.println(rule + "---|");
        for (Map.Entry<String, Map<Integer, List<int[]>>> e : results.entrySet()) {
            String[] key = e.getKey().split(" ");
            boolean ours = key[1].equals("obvious");
            StringBuilder row = new StringBuilder("| " + key[0].toLowerCase(Locale.ROOT) + " | "
                    + (ours ? "connectors, the obvious way" : "plain Netty, one Bootstrap, default group") + " | ");
            int worst = 0;
            for (int n : counts) {
                List<int[]> ts = e.getValue().get(n);
                int threads = (int) Bench.median(ts, t -> t[0]);
                int netty = (int) Bench.median(ts, t -> t[1]);
                worst = Math.max(worst, ts.stream().mapToInt(t -> t[1]).max().orElse(0));
                row.append(threads).append(" (").append(netty).append(") | ");
            }
            System.out.println(row + (ours ? (worst <= cores ? "met" : "missed") : "-") + " |");
        }
    }
}
