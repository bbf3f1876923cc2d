package io.resilientconnector.benchmarks;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs every benchmark for a few seconds with tiny sizes, so that one that rots breaks the build. It asserts
 * that each one ran to its results table, never what the numbers are: speed figures live in BENCHMARKS.md.
 */
class BenchmarksSmokeTest {

    @BeforeAll
    static void logToTarget() throws Exception {
        Path dir = Path.of("target", "benchmark-logs").toAbsolutePath();
        Files.createDirectories(dir);
        System.setProperty("benchmark.log.dir", dir.toString());
    }

    @Test
    @Timeout(120)
    void throughputRunsForEveryTransportSizeAndPipeline() throws Exception {
        String out = run(() -> ThroughputReport.run(new String[] {
                "--rounds", "1", "--warmups", "0", "--iterations", "1", "--iteration-ms", "200", "--forks", "0"}));
        assertThat(out).contains("| transport | message |").contains("64 B").contains("16384 B");
    }

    @Test
    @Timeout(120)
    void idleScaleMeasuresHeapThreadsCpuAndClassesForEveryShape() throws Exception {
        String out = run(() -> IdleScaleBenchmark.run(new String[] {
                "--transports", "auto", "--counts", "20,40", "--cpu-at", "40", "--cpu-window-ms", "200", "--cpu-delay-ms", "0", "--runs", "1",
                "--settle-ms", "100",
                "--histograms", "yes", "--histogram-rows", "5"}));
        assertThat(out).contains("| transport | pipeline |").contains("| connector |").contains("| obvious |")
                .contains("| plain |").contains("| uptime |").contains("Heap per connection by class").contains("| total |");
    }

    @Test
    @Timeout(120)
    void threadsAreCountedForTheObviousWay() throws Exception {
        String out = run(() -> ThreadsBenchmark.run(new String[] {
                "--transports", "auto", "--counts", "10,20", "--settle-ms", "100"}));
        assertThat(out).contains("| transport | made |").contains("connectors, the obvious way").contains("plain Netty");
    }

    @Test
    @Timeout(120)
    void sendThroughputRunsForBothSides() throws Exception {
        String out = run(() -> SendThroughputBenchmark.run(new String[] {
                "--rounds", "1", "--warmup-ms", "0", "--measure-ms", "200"}));
        assertThat(out).contains("| transport | message | connector.send").contains("64 B");
    }

    @Test
    @Timeout(120)
    void reconnectStormRecoversForEveryJitter() throws Exception {
        String out = run(() -> ReconnectStormBenchmark.run(new String[] {
                "--connections", "40", "--initial-ms", "20", "--max-ms", "200", "--down-ms", "200", "--runs", "1",
                "--settle-ms", "100", "--rate-limit", "400", "--arrivals", "yes"}));
        assertThat(out).contains("| transport | jitter |").contains("| PHASED |").contains("NONE").contains("FULL")
                .contains("EQUAL").contains("DECORRELATED").contains("PHASED@400/s").contains("ARRIVALS").doesNotContain("never back");
    }

    @Test
    @Timeout(120)
    void reconnectLatencyIsMeasured() throws Exception {
        String out = run(() -> ReconnectLatencyBenchmark.run(new String[] {"--reconnects", "10", "--runs", "1"}));
        assertThat(out).contains("| transport | measured |").contains("connector").contains("plain Netty");
    }

    @Test
    @Timeout(120)
    void deadFirstAddressIsMeasuredForEveryBehaviour() throws Exception {
        String out = run(() -> DeadFirstAddressBenchmark.run(new String[] {
                "--runs", "2", "--connect-timeout-ms", "500", "--give-up-ms", "1500"}));
        assertThat(out).contains("| first address | behaviour |").contains("| refused | default")
                .contains("one address at a time").contains("the first address only");
    }

    private interface Main {
        void run() throws Exception;
    }

    /** Runs {@code main}, echoing and returning what it printed. */
    private static String run(Main main) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(new TeeStream(original, captured), true, StandardCharsets.UTF_8));
        try {
            main.run();
        } finally {
            System.out.flush();
            System.setOut(original);
        }
        return captured.toString(StandardCharsets.UTF_8);
    }

    private static final class TeeStream extends java.io.OutputStream {
        private final java.io.OutputStream a;
        private final java.io.OutputStream b;

        TeeStream(java.io.OutputStream a, java.io.OutputStream b) {
            this.a = a;
            this.b = b;
        }

        @Override
        public void write(int c) throws java.io.IOException {
            a.write(c);
            b.write(c);
        }

        @Override
        public void write(byte[] bytes, int off, int len) throws java.io.IOException {
            a.write(bytes, off, len);
            b.write(bytes, off, len);
        }
    }
}
