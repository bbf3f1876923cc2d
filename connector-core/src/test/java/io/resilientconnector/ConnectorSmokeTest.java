package io.resilientconnector;

import io.netty.buffer.Unpooled;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

class ConnectorSmokeTest {

    @Test
    void connectsSendsAndReconnectsAfterPeerClose() throws Exception {
        try (LineServer server = LineServer.start()) {
            EventRecorder events = new EventRecorder();
            ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                    .reconnect(Fast.RECONNECT).build();
            try (ResilientConnector connector = ResilientConnector.builder(options)
                    .handler(new NoopInitializer())
                    .listener(events).build().start()) {
                assertThat(events.poll(WAIT)).isEqualTo("CONNECTED");
                connector.send(Unpooled.copiedBuffer("one\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
                assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("one");
                server.awaitOpenConnections(1);
                server.closeConnections();
                assertThat(events.poll(WAIT)).isEqualTo("DISCONNECTED PEER_CLOSED");
                assertThat(events.poll(WAIT)).isEqualTo("RECONNECTING 2");
                assertThat(events.poll(WAIT)).isEqualTo("CONNECTED");
            }
        }
    }
}
