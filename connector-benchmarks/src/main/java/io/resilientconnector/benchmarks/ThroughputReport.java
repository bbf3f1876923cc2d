package io.resilientconnector.benchmarks;

import io.resilientconnector.transport.TransportType;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Item 1: runs {@link ThroughputBenchmark} for the connector and plain Netty in interleaved rounds, one JMH fork
 * each, alternating which goes first, so that drift in a shared machine's load hits both sides alike. Prints the
 * median throughput of each side and the median of the per-round ratios.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.ThroughputReport \
 *     [--transports epoll,nio] [--sizes 64,16384] [--rounds 5] [--warmups 3] [--iterations 5] \
 *     [--iteration-ms 1000] [--forks 1]
 * </pre>
 *
 * {@code --forks 0} runs in this JVM, for the smoke run only.
 */
public final class ThroughputReport {

    /** The goal: the connector receives at least this fraction of plain Netty's bytes per second. */
    static final double GOAL_RATIO = 0.98;

    private ThroughputReport() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws RunnerException {
        Bench.logToFile("throughput");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        List<Integer> sizes = a.integers("sizes", "64,16384", 1);
        int rounds = a.integer("rounds", 5, 1);
        int warmups = a.integer("warmups", 3, 0);
        int iterations = a.integer("iterations", 5, 1);
        int iterationMs = a.integer("iteration-ms", 1000, 1);
        int forks = a.integer("forks", 1, 0);
        a.checkAllUsed();

        System.out.println("# throughput: " + Bench.machine());
        System.out.println("# rounds=" + rounds + " warmups=" + warmups + " iterations=" + iterations + "x"
                + iterationMs + "ms forks=" + forks + "; log: " + Bench.logFile());
        Map<String, List<Double>> connector = new LinkedHashMap<>();
        Map<String, List<Double>> plain = new LinkedHashMap<>();
        Map<String, List<Double>> ratios = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (TransportType transport : transports) {
                for (int size : sizes) {
                    String key = transport + " " + size;
                    boolean connectorFirst = round % 2 == 1;
                    double first = run(transport, size, connectorFirst ? "connector" : "plain",
                            warmups, iterations, iterationMs, forks);
                    double second = run(transport, size, connectorFirst ? "plain" : "connector",
                            warmups, iterations, iterationMs, forks);
                    double c = connectorFirst ? first : second;
                    double p = connectorFirst ? second : first;
                    connector.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
                    plain.computeIfAbsent(key, k -> new ArrayList<>()).add(p);
                    ratios.computeIfAbsent(key, k -> new ArrayList<>()).add(c / p);
                    System.out.printf(Locale.ROOT, "ROUND %d %s %d B: connector %.1f MB/s, plain %.1f MB/s, ratio %.3f%n",
                            round, transport, size, c / 1e6, p / 1e6, c / p);
                }
            }
        }
        System.out.println();
        System.out.println("| transport | message | connector MB/s | plain Netty MB/s | ratio (median) | ratio range | goal >= "
                + GOAL_RATIO + " |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (String key : connector.keySet()) {
            String[] parts = key.split(" ");
            List<Double> r = ratios.get(key);
            double ratio = Bench.median(r);
            System.out.printf(Locale.ROOT, "| %s | %s B | %.1f | %.1f | %.3f | %.3f..%.3f | %s |%n",
                    parts[0].toLowerCase(Locale.ROOT), parts[1], Bench.median(connector.get(key)) / 1e6,
                    Bench.median(plain.get(key)) / 1e6, ratio,
                    r.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN),
                    r.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN),
                    ratio >= GOAL_RATIO ? "met" : "missed");
        }
    }

    /** One JMH fork of one configuration; returns the median of its iterations, in bytes per second. */
    static double run(TransportType transport, int size, String pipeline, int warmups, int iterations,
                      int iterationMs, int forks) throws RunnerException {
        Options options = new OptionsBuilder()
                .include(ThroughputBenchmark.class.getName() + ".receive")
                .param("transport", transport.name())
                .param("messageSize", String.valueOf(size))
                .param("pipeline", pipeline)
                .warmupIterations(warmups)
                .warmupTime(TimeValue.milliseconds(iterationMs))
                .measurementIterations(iterations)
                .measurementTime(TimeValue.milliseconds(iterationMs))
                .forks(forks)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build();
        RunResult result = new Runner(options).runSingle();
        List<Double> scores = new ArrayList<>();
        for (BenchmarkResult fork : result.getBenchmarkResults()) {
            for (IterationResult iteration : fork.getIterationResults()) {
                scores.add(iteration.getPrimaryResult().getScore());
            }
        }
        if (scores.isEmpty()) {
            throw new IllegalStateException("no measurement for " + transport + " " + size + " " + pipeline);
        }
        return Bench.median(scores) * ThroughputBenchmark.CHUNK;
    }
}
