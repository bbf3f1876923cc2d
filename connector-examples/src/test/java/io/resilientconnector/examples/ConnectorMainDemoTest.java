package io.resilientconnector.examples;

import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The program as a newcomer runs it: no flags but timings, against the embedded demo server. */
class ConnectorMainDemoTest {

    /** The default schedule, sped up so the whole story plays out in a few seconds. */
    private static final DemoServer.Schedule FAST = new DemoServer.Schedule(
            Duration.ofMillis(200), 3, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(1500));

    @Test
    void showsEveryEventAgainstTheDemoServer() throws Exception {
        InputStream stdin = new ByteArrayInputStream("hello demo\n".getBytes(StandardCharsets.US_ASCII));
        try (InProcessMain run = InProcessMain.start(stdin, FAST,
                "--read-idle", "1s", "--backoff-initial", "100ms", "--backoff-max", "500ms")) {

            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(run.outLines())
                    .anyMatch(l -> l.startsWith("DEMO_SERVER listening on 127.0.0.1:"))
                    .anyMatch(l -> l.startsWith("CONNECTED remote=127.0.0.1:"))
                    .anyMatch(l -> l.startsWith("RECEIVED ") && l.contains("bytes: demo line 1 on connection 1\\n"))
                    .anyMatch(l -> l.startsWith("RECEIVED ") && l.contains("you said: hello demo\\n"))
                    .anyMatch(l -> l.equals("READ_IDLE idle=1s consecutive=1"))
                    .anyMatch(l -> l.startsWith("DISCONNECTED cause=PEER_CLOSED up="))
                    .anyMatch(l -> l.matches("RECONNECTING attempt=2 delay=\\d+(\\.\\d)?m?s")));
            // And it connects again, to the demo server's next connection.
            await().atMost(Duration.ofSeconds(45)).untilAsserted(() -> assertThat(run.outLines())
                    .anyMatch(l -> l.contains("demo line 1 on connection 2")));

            assertThat(run.stop()).isZero();
            assertThat(run.outLines()).last().asString().startsWith("DISCONNECTED cause=LOCAL_CLOSE");
        }
    }

    @Test
    void runsOnAfterStdinEnds() throws Exception {
        try (InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), FAST, "--read-idle", "1s")) {
            await().atMost(Duration.ofSeconds(45)).until(() -> run.printed("READ_IDLE"));

            assertThat(run.exitCode()).isNotDone();
            assertThat(run.stop()).isZero();
        }
    }

    @Test
    void exitsWithOneAfterGivingUp() throws Exception {
        try (InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), FAST, "--host", "127.0.0.1",
                "--port", String.valueOf(Ports.closed()), "--max-attempts", "2",
                "--backoff-initial", "10ms", "--backoff-max", "20ms")) {

            await().atMost(Duration.ofSeconds(45)).until(() -> run.exitCode().isDone());

            assertThat(run.exitCode()).isCompletedWithValue(ConnectorMain.EXIT_GAVE_UP);
            List<String> lines = run.outLines();
            // --max-attempts 2: two attempts, each its own CONNECT_FAILED line, and GAVE_UP counts both.
            assertThat(lines).filteredOn(l -> l.startsWith("CONNECT_FAILED cause=CONNECT_REFUSED")).hasSize(2);
            assertThat(lines).noneMatch(l -> l.startsWith("DISCONNECTED"));
            assertThat(lines).filteredOn(l -> l.startsWith("RECONNECTING")).singleElement().asString()
                    .startsWith("RECONNECTING attempt=2 ");
            assertThat(lines).anyMatch(l -> l.startsWith("GAVE_UP attempts=2 last cause=CONNECT_REFUSED"));
            assertThat(lines).noneMatch(l -> l.startsWith("CONNECTED"));
        }
    }
}
