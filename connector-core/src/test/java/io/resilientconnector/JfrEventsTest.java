package io.resilientconnector;

import io.resilientconnector.internal.observe.JfrEvents;
import io.resilientconnector.testing.CountingSink;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.TransportType;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The connector's Flight Recorder events, recorded in this JVM through real connects, a peer's close, a reset,
 * refused attempts and giving up, then read back from the dump as {@code jfr} would.
 */
class JfrEventsTest {

    private static final List<String> NAMES = List.of("io.resilientconnector.ConnectAttempt",
            "io.resilientconnector.Connected", "io.resilientconnector.Disconnected",
            "io.resilientconnector.ReconnectScheduled", "io.resilientconnector.GaveUp",
            "io.resilientconnector.HeartbeatTimeout");

    @Test
    void recordsTheConnectorsLifeWithTcpInfoAndNoStackTraces(@TempDir Path dir) throws Exception {
        Transports.assumeAvailable(TransportType.EPOLL);
        Path dump = dir.resolve("connector.jfr");
        EventRecorder events = new EventRecorder();
        String endpoint;
        try (Recording recording = new Recording()) {
            NAMES.forEach(recording::enable);
            recording.start();
            try (LineServer server = LineServer.start()) {
                endpoint = "127.0.0.1:" + server.port();
                ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                        .transport(TransportType.EPOLL)
                        .reconnect(Fast.RECONNECT.toBuilder().maxAttempts(3).build()).build();
                try (ResilientConnector connector = ResilientConnector.builder(options).handler(new CountingSink())
                        .listener(events).random(new Random(1)).build().start()) {
                    events.await("CONNECTED", WAIT);
                    server.awaitOpenConnections(1);
                    server.closeConnections();
                    events.await("DISCONNECTED PEER_CLOSED", WAIT);
                    events.await("CONNECTED", WAIT);
                    server.awaitOpenConnections(1);
                    server.stopListening();
                    server.resetConnections();
                    events.await("DISCONNECTED RESET", WAIT);
                    events.await("GAVE_UP", WAIT);
                }
            }
            recording.stop();
            recording.dump(dump);
        }

        List<RecordedEvent> recorded = RecordingFile.readAllEvents(dump).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.resilientconnector."))
                .collect(Collectors.toList());
        recorded.forEach(System.out::println);
        assertThat(recorded).allSatisfy(e -> {
            assertThat(e.getEventType().getCategoryNames()).containsExactly(JfrEvents.CATEGORY);
            assertThat(e.getStackTrace()).isNull();
            assertThat(e.getString("endpoint")).isEqualTo(endpoint);
        });
        assertThat(recorded.stream().map(e -> e.getEventType().getName().substring("io.resilientconnector.".length())))
                .containsExactly("ConnectAttempt", "Connected", "Disconnected", "ReconnectScheduled",
                        "ConnectAttempt", "Connected", "Disconnected", "ReconnectScheduled",
                        "ConnectAttempt", "GaveUp");

        List<RecordedEvent> attempts = of(recorded, "ConnectAttempt");
        assertThat(attempts).extracting(e -> e.getString("outcome"))
                .containsExactly("CONNECTED", "CONNECTED", "FAILED");
        assertThat(attempts.get(2).getString("cause")).isEqualTo("CONNECT_REFUSED");
        assertThat(attempts.get(0).getDuration()).isPositive();

        List<RecordedEvent> ends = of(recorded, "Disconnected");
        assertThat(ends).extracting(e -> e.getString("cause")).containsExactly("PEER_CLOSED", "RESET");
        RecordedEvent reset = ends.get(1);
        assertThat(reset.getString("errno")).isEqualTo("ECONNRESET");
        assertThat(reset.getLong("unacknowledgedBytes")).isZero();
        assertThat(reset.getDuration("rtt")).isPositive();
        assertThat(reset.getInt("retransmits")).isZero();
        assertThat(reset.getDuration("detectionLatency")).isPositive();
        assertThat(reset.getDuration("sinceLastSent")).isGreaterThanOrEqualTo(Duration.ZERO);

        RecordedEvent gaveUp = of(recorded, "GaveUp").get(0);
        // Two connections that dropped within the stable period, then the refused third: three attempts.
        assertThat(gaveUp.getInt("attempts")).isEqualTo(3);
        assertThat(gaveUp.getString("cause")).isEqualTo("CONNECT_REFUSED");
        assertThat(of(recorded, "ReconnectScheduled").get(0).getDuration("delay")).isEqualTo(Duration.ofMillis(50));
    }

    @Test
    void aFailbackRecordsTheRetiredConnectionsEndAsADisconnectAndStillRecordsTheNewConnectionsEnd(@TempDir Path dir)
            throws Exception {
        Path dump = dir.resolve("failback.jfr");
        EventRecorder events = EventRecorder.withAttempts();
        Endpoint first;
        Endpoint second;
        try (Recording recording = new Recording()) {
            NAMES.forEach(recording::enable);
            recording.start();
            try (LineServer primary = LineServer.start(); LineServer backup = LineServer.start()) {
                first = Endpoint.of("127.0.0.1", primary.port());
                second = Endpoint.of("127.0.0.1", backup.port());
                ConnectorOptions options = ConnectorOptions.builder().endpoints(first, second)
                        .failbackAfter(Duration.ofSeconds(1)).reconnect(Fast.RECONNECT).build();
                try (ResilientConnector connector = ResilientConnector.builder(options).handler(new CountingSink())
                        .listener(events).build().start()) {
                    events.await("CONNECTED " + first, WAIT);
                    // The accept first: a connection still in the accept queue when the listener closes is never
                    // accepted.
                    primary.awaitOpenConnections(1);
                    primary.stopListening();
                    primary.closeConnections();
                    events.await("CONNECTED " + second, WAIT);
                    primary.listen();
                    events.await("CONNECTED " + first, WAIT);
                    events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
                    // Closed from this side: the server cannot tell it from the probes it may still be closing.
                    connector.channel().close();
                    events.await("DISCONNECTED LOCAL_CLOSE", WAIT);
                    events.await("CONNECTED " + first, WAIT);
                }
            }
            recording.stop();
            recording.dump(dump);
        }

        List<RecordedEvent> recorded = RecordingFile.readAllEvents(dump).stream()
                .filter(e -> e.getEventType().getName().startsWith("io.resilientconnector."))
                .collect(Collectors.toList());
        recorded.forEach(System.out::println);
        assertThat(recorded.stream().map(e -> e.getEventType().getName().substring("io.resilientconnector.".length())))
                .containsExactly("ConnectAttempt", "Connected", "Disconnected", "ReconnectScheduled",
                        "ConnectAttempt", "Connected",
                        // The failback: its candidate comes up, then the backup's connection is let go.
                        "Connected", "Disconnected",
                        "Disconnected", "ReconnectScheduled", "ConnectAttempt", "Connected",
                        "Disconnected");
        assertThat(of(recorded, "ConnectAttempt")).extracting(e -> e.getString("outcome"))
                .containsOnly("CONNECTED");

        List<RecordedEvent> ups = of(recorded, "Connected");
        assertThat(ups).extracting(e -> e.getString("remoteAddress"))
                .containsExactly(first.toString(), second.toString(), first.toString(), first.toString());
        List<RecordedEvent> ends = of(recorded, "Disconnected");
        assertThat(ends).extracting(e -> e.getString("cause"))
                .containsExactly("PEER_CLOSED", "LOCAL_CLOSE", "LOCAL_CLOSE", "LOCAL_CLOSE");
        // Each end names its own connection: the retired backup's, then the one that replaced it.
        assertThat(ends).extracting(e -> e.getString("connectionId")).containsExactly(
                ups.get(0).getString("connectionId"), ups.get(1).getString("connectionId"),
                ups.get(2).getString("connectionId"), ups.get(3).getString("connectionId"));
        assertThat(ends.get(1).getString("detail")).isEqualTo("replaced by a connection to " + first + " (failback)");
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String simpleName) {
        return events.stream().filter(e -> e.getEventType().getName().equals("io.resilientconnector." + simpleName))
                .collect(Collectors.toList());
    }
}
