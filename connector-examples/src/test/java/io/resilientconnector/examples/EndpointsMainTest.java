package io.resilientconnector.examples;

import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Several endpoints on the command line: the dead one is reported by address, the live one connected. */
class EndpointsMainTest {

    @Test
    void connectsToTheFirstEndpointThatAnswersAndNamesTheAddresses() throws Exception {
        int dead = Ports.closed();
        try (LineServer live = LineServer.start();
             InProcessMain run = InProcessMain.start(new ByteArrayInputStream(new byte[0]), DemoServer.Schedule.defaults(),
                     "--endpoint", "127.0.0.1:" + dead, "--endpoint", "127.0.0.1:" + live.port(),
                     "--attempt-delay", "100ms", "--failback-after", "2s")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED"));

            assertThat(run.outLines()).anyMatch(l -> l.startsWith("ATTEMPT_FAILED endpoint=127.0.0.1:" + dead
                    + " remote=127.0.0.1:" + dead + " cause=CONNECT_REFUSED"));
            assertThat(run.outLines()).anyMatch(l -> l.startsWith("CONNECTED remote=127.0.0.1:" + live.port())
                    && l.endsWith(" endpoint=127.0.0.1:" + live.port()));

            live.awaitOpenConnections(1);
            live.closeConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("DISCONNECTED"));
            assertThat(run.outLines()).anyMatch(l -> l.startsWith("DISCONNECTED cause=PEER_CLOSED")
                    && l.contains(" remote=127.0.0.1:" + live.port() + " "));
        }
    }
}
