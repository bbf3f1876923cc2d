package io.resilientconnector.examples;

import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The two library examples connect, receive, and come back after the server drops them. */
class ExamplesTest {

    @Test
    void embeddedExampleConnectsSendsReceivesAndReconnects() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        try (LineServer server = LineServer.start();
             EmbeddedExample example = new EmbeddedExample("127.0.0.1", server.port(), out::add)) {
            assertThat(server.pollLine(10, TimeUnit.SECONDS)).isEqualTo("hello from EmbeddedExample");

            receivesAcrossAReconnect(server, out);
        }
    }

    @Test
    void ownBootstrapExampleConnectsReceivesAndReconnects() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        try (LineServer server = LineServer.start();
             OwnBootstrapExample example = new OwnBootstrapExample("127.0.0.1", server.port(), out::add)) {
            // The server's accept and the client's connected line race: wait for the line itself.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(out).anyMatch(l -> l.startsWith("connected: transport=") && l.contains("SO_KEEPALIVE=true")));

            receivesAcrossAReconnect(server, out);
        }
    }

    @Test
    void ownBootstrapExampleStopsReconnectingOnClose() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        try (LineServer server = LineServer.start()) {
            OwnBootstrapExample example = new OwnBootstrapExample("127.0.0.1", server.port(), out::add);
            server.awaitOpenConnections(1);

            example.close();

            server.awaitOpenConnections(0);
            // The server may see the close before the client prints it: wait for the line itself.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(out).anyMatch(l -> l.startsWith("disconnected: cause=LOCAL_CLOSE")));
            assertThat(out).noneMatch(l -> l.startsWith("reconnecting"));
            assertThat(server.acceptedCount()).isEqualTo(1);
        }
    }

    @Test
    void manyConnectionsExampleSharesResourcesAndComesBackAfterTheServerDropsEveryone() throws Exception {
        List<String> out = new CopyOnWriteArrayList<>();
        try (LineServer server = LineServer.start();
             ManyConnectionsExample example = new ManyConnectionsExample("127.0.0.1", server.port(), 20, out::add)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> example.connected() == 20);
            server.awaitOpenConnections(20);
            server.broadcast("to all\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> example.lines() == 20);

            server.closeConnections();
            await().atMost(Duration.ofSeconds(30)).until(() -> server.acceptedCount() >= 40 && example.connected() == 20);
            assertThat(out).anyMatch(l -> l.matches("disconnected \\p{XDigit}{8} from .*: PEER_CLOSED"));
        }
    }

    /** Receives a line, is dropped by the server, comes back, and receives another. */
    private static void receivesAcrossAReconnect(LineServer server, List<String> out) throws Exception {
        // A broadcast reaches only the connections the server has accepted.
        server.awaitOpenConnections(1);
        server.broadcast("first\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> out.contains("line: first"));

        server.closeConnections();
        assertThat(server.awaitAccepted(2)).isEqualTo(2);
        server.awaitOpenConnections(1);
        server.broadcast("second\n");
        await().atMost(Duration.ofSeconds(10)).until(() -> out.contains("line: second"));
        assertThat(out).anyMatch(l -> l.startsWith("disconnected: cause=PEER_CLOSED"))
                // Dropped within the stable period, so the attempt that made the connection counts: this is the second.
                .anyMatch(l -> l.startsWith("reconnecting: attempt 2"));
    }
}
