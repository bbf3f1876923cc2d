package io.resilientconnector.examples;

import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;

import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
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

            assertThat(run.outLines()).anyMatch(l -> l.startsWith("SEND_FAILED reason=CLOSED line=\"never\""));
        }
    }

    private static void type(PipedOutputStream keyboard, String text) throws Exception {
        keyboard.write(text.getBytes(StandardCharsets.US_ASCII));
        keyboard.flush();
    }
}
