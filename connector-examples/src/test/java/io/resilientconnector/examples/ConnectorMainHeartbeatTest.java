package io.resilientconnector.examples;

import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The example's heartbeat flags against a server that takes the probe and never answers it. */
class ConnectorMainHeartbeatTest {

    @Test
    void aSilentPeerIsReportedUnresponsiveWithTheDetail() throws Exception {
        try (LineServer server = LineServer.start();
             InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(server.port()), "--read-idle", "0",
                     "--heartbeat", "PING\\r\\n", "--heartbeat-idle", "500ms", "--heartbeat-timeout", "300ms")) {
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).as("the probe, its escapes turned into bytes").isEqualTo("PING\r");
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("DISCONNECTED"));
            assertThat(run.outLines()).anyMatch(line -> line.startsWith("DISCONNECTED cause=UNRESPONSIVE "
                    + "detail=\"no reply to the heartbeat probe within its timeout of 300ms"));
        }
    }
}
