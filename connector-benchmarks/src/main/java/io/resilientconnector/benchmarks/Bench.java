package io.resilientconnector.benchmarks;

import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/** What every benchmark main shares: transports, statistics, and readings of this process. */
final class Bench {

    /**
     * File descriptors a JVM with Netty needs beyond its connections: jars, epoll, pipes, listeners. A benchmark
     * process holds about 20 of them, a test JVM with its class path of jars about 100; the margin leaves room
     * for both, and still lets the smoke run's 40 connections fit a limit of 256.
     */
    static final int FD_MARGIN = 192;

    /** Connections per server port, under the 28232 ephemeral ports of Linux's default range. */
    static final int MAX_PER_PORT = 25_000;

    private Bench() {
    }

    /**
     * Sends the connector's and Netty's log lines to a file of this process's own, so that thousands of
     * connect and disconnect lines at INFO neither flood the console nor interleave between processes. The file
     * goes in {@code -Dbenchmark.log.dir}, or else the temporary directory. Call before anything touches SLF4J.
     */
    static void logToFile(String name) {
        if (System.getProperty("benchmark.log.file") == null) {
            String file = Paths.get(System.getProperty("benchmark.log.dir", System.getProperty("java.io.tmpdir")),
                    "resilient-connector-" + name + "-" + ProcessHandle.current().pid() + ".log").toString();
            System.setProperty("benchmark.log.file", file);
        }
    }

    /** The log file {@link #logToFile} chose. */
    static String logFile() {
        return System.getProperty("benchmark.log.file", "(console)");
    }

    /**
     * The transports named in {@code csv}, such as {@code epoll,nio}, leaving out those this machine lacks
     * (with a note on standard error), so that one command works on Linux and elsewhere. {@code auto} becomes
     * the transport the connector would pick here, so results name what actually ran.
     */
    static List<TransportType> transports(String csv) {
        List<TransportType> result = new ArrayList<>();
        for (String name : csv.split(",")) {
            TransportType type = Args.constant(TransportType.class, "transports", name);
            if (type == TransportType.AUTO) {
                type = Transport.resolve(type).type();
            }
            Throwable unavailable = Transport.unavailabilityCause(type);
            if (unavailable != null) {
                System.err.println("skipping " + type + ": " + unavailable);
            } else {
                result.add(type);
            }
        }
        if (result.isEmpty()) {
            throw new SetupException("transports: " + csv + " (expected: at least one available here)");
        }
        return result;
    }

    static double median(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int mid = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    }

    static double median(List<Double> values) {
        return median(values, Double::doubleValue);
    }

    /** The median of {@code value} over {@code items}. */
    static <T> double median(Collection<T> items, ToDoubleFunction<T> value) {
        return median(items.stream().mapToDouble(value).toArray());
    }

    /** The value at quantile {@code q} (0..1) by the nearest-rank method. */
    static double quantile(double[] values, double q) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(q * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The least-squares slope of {@code y} over {@code x}. */
    static double slope(double[] x, double[] y) {
        int n = x.length;
        double mx = Arrays.stream(x).average().orElse(0);
        double my = Arrays.stream(y).average().orElse(0);
        double sxy = 0;
        double sxx = 0;
        for (int i = 0; i < n; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        return sxx == 0 ? Double.NaN : sxy / sxx;
    }

    /**
     * Bytes of heap in use after full collections: the smallest of several readings, each taken right after
     * {@code System.gc()}, which is a full, stop-the-world collection on the JDK's collectors unless
     * {@code -XX:+ExplicitGCInvokesConcurrent} is set.
     */
    static long heapAfterGc() throws InterruptedException {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(100);
            least = Math.min(least, memory.getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    /** CPU time this process has used, user and system, in nanoseconds. */
    static long processCpuNanos() {
        java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            return ((com.sun.management.OperatingSystemMXBean) os).getProcessCpuTime();
        }
        throw new IllegalStateException("process CPU time is not available on this JVM");
    }

    /** The soft limit on open files of this process, or -1 where /proc is not available. */
    static long openFileLimit() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/limits"))) {
                if (line.startsWith("Max open files")) {
                    String soft = line.substring("Max open files".length()).trim().split("\\s+")[0];
                    return "unlimited".equals(soft) ? Long.MAX_VALUE : Long.parseLong(soft);
                }
            }
        } catch (IOException | RuntimeException e) {
            return -1;
        }
        return -1;
    }

    /** A benchmark main's body, run by {@link #main}. */
    interface Body {
        void run() throws Exception;
    }

    /**
     * Runs a main's {@code body}. A {@link SetupException} becomes one line on standard error and exit status 2,
     * so a limit set too low reads as an instruction, not a stack trace; anything else propagates.
     */
    static void main(Body body) throws Exception {
        try {
            body.run();
        } catch (SetupException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
        }
    }

    /**
     * Fails with a {@link SetupException} unless this process may open {@code connections} sockets and the files
     * a JVM with Netty needs besides. The processes a benchmark starts inherit the same limit.
     *
     * @return the limit, as {@link #openFileLimit()} reads it
     */
    static long requireOpenFiles(int connections, String what) {
        long limit = openFileLimit();
        long needed = (long) connections + FD_MARGIN;
        if (limit > 0 && limit < needed) {
            throw new SetupException(what + " holds " + connections + " connections, which needs about " + needed
                    + " open files per process; the limit here is " + limit + ". Raise it first, for example with"
                    + " `ulimit -n " + Math.max(needed, 65_536) + "` (which may need root or a higher hard limit),"
                    + " or ask for fewer connections.");
        }
        return limit;
    }

    /**
     * Fails with a {@link SetupException} unless {@code connections} spread over {@code ports} server ports stay
     * within the ephemeral ports of one address pair (Linux's default range, 32768..60999, has 28232).
     * {@code ports} is at least 1.
     */
    static void requirePortsFor(int connections, int ports) {
        if ((connections + ports - 1) / ports > MAX_PER_PORT) {
            throw new SetupException("ports: " + ports + " leaves " + (connections + ports - 1) / ports
                    + " connections per server port, more than " + MAX_PER_PORT + " (the ephemeral ports of one address"
                    + " pair, less a margin); pass --ports " + ((connections + MAX_PER_PORT - 1) / MAX_PER_PORT));
        }
    }

    static String format(double value, int decimals) {
        return String.format(Locale.ROOT, "%." + decimals + "f", value);
    }

    /** {@code min..max} of {@code values}, each with {@code decimals} decimals; {@code NaN..NaN} when empty. */
    static String range(double[] values, int decimals) {
        return format(java.util.Arrays.stream(values).min().orElse(Double.NaN), decimals) + ".."
                + format(java.util.Arrays.stream(values).max().orElse(Double.NaN), decimals);
    }

    static String machine() {
        return "cores=" + Runtime.getRuntime().availableProcessors() + " java=" + System.getProperty("java.vm.name")
                + " " + System.getProperty("java.runtime.version") + " os=" + System.getProperty("os.name") + " "
                + System.getProperty("os.version") + " " + System.getProperty("os.arch");
    }
}
