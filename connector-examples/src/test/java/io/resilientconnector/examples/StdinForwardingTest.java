package io.resilientconnector.examples;

import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Lines typed on stdin reach the peer in order, and wait while it is unreachable. */
class StdinForwardingTest {

    @Test
    void forwardsStdinLinesInOrderAndHoldsThemWhileDisconnected() throws Exception {
        try (LineServer server = LineServer.start();
             PipedOutputStream keyboard = new PipedOutputStream();
             PipedInputStream stdin = new PipedInputStream(keyboard);
             InProcessMain run = InProcessMain.start(stdin, DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(server.port()),
                     "--backoff-initial", "50ms", "--backoff-max", "200ms")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED"));

            type(keyboard, "one\ntwo\nthree\n");
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("one");
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("two");
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("three");

            server.stopListening();
            server.closeConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("DISCONNECTED"));
            type(keyboard, "four\nfive\n");
            // Both lines wait in the connector while every attempt is refused.
            await().atMost(Duration.ofSeconds(10)).until(() -> run.main.connector().pendingMessages() == 2);
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECT_FAILED cause=CONNECT_REFUSED"));

            server.listen();
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("four");
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("five");
            assertThat(server.pollLine(300, TimeUnit.MILLISECONDS)).isNull();
            assertThat(run.outLines()).noneMatch(l -> l.startsWith("SEND_FAILED"));
        }
    }

    @Test
    void reportsLinesThatCanNeverBeSent() throws Exception {
        try (LineServer server = LineServer.start();
             PipedOutputStream keyboard = new PipedOutputStream();
             PipedInputStream stdin = new PipedInputStream(keyboard);
             InProcessMain run = InProcessMain.start(stdin, DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(server.port()),
                     "--backoff-initial", "10s", "--backoff-max", "10s")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED"));
            // The accept first: a connection still in the accept queue when the listener closes is never accepted.
            server.awaitOpenConnections(1);
            server.stopListening();
            server.closeConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("RECONNECTING"));
            type(keyboard, "never\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> run.main.connector().pendingMessages() == 1);

            run.stop();

            assertThat(run.outLines()).anyMatch(l -> l.startsWith("SEND_FAILED reason=CLOSED count=1 bytes=6 last=\"never\""));
        }
    }

    @Test
    void keepsTheOutputSmallWhenAMegabyteIsTypedWhileDisconnected() throws Exception {
        int lines = 20_000;
        StringBuilder typed = new StringBuilder();
        for (int i = 0; i < lines; i++) {
            typed.append(String.format("%049d", i)).append('\n');
        }
        assertThat(typed.length()).isEqualTo(lines * 50);
        InputStream stdin = new ByteArrayInputStream(typed.toString().getBytes(StandardCharsets.US_ASCII));
        int limit = 100;
        try (InProcessMain run = InProcessMain.start(stdin, DemoServer.Schedule.defaults(),
                "--host", "127.0.0.1", "--port", String.valueOf(Ports.closed()),
                "--backoff-initial", "1h", "--backoff-max", "1h", "--max-pending-messages", String.valueOf(limit))) {
            // Every line is read and sent (and all but the first hundred rejected) while no connection can be made.
            await().atMost(Duration.ofSeconds(30)).until(() -> run.main.stdinEnded());
            assertThat(run.main.connector().pendingMessages()).as(run.out()).isEqualTo(limit);

            run.stop();

            List<String> failed = run.outLines().stream().filter(l -> l.startsWith("SEND_FAILED ")).toList();
            assertThat(run.outLines()).hasSizeLessThan(20);
            assertThat(run.out().length()).isLessThan(10_000);
            // Nothing lost: each line is counted once, as BUFFER_FULL when sent, or as CLOSED when still waiting at exit.
            assertThat(SendFailuresTest.counts(failed)).isEqualTo(lines);
            assertThat(SendFailuresTest.counts(failed.stream().filter(l -> l.contains("reason=CLOSED")).toList()))
                    .isEqualTo(limit);
            assertThat(failed).allMatch(l -> l.matches("SEND_FAILED reason=(BUFFER_FULL|CLOSED) count=\\d+ bytes=\\d+ last=\"\\d{49}\" error=\".*\""));
        }
    }

    private static void type(PipedOutputStream keyboard, String text) throws Exception {
        keyboard.write(text.getBytes(StandardCharsets.US_ASCII));
        keyboard.flush();
    }
}
