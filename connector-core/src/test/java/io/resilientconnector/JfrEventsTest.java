package io.resilientconnector;

import io.resilientconnector.internal.JfrEvents;
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
                        .reconnect(Fast.RECONNECT.toBuilder().maxAttempts(2).build()).build();
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
        assertThat(gaveUp.getInt("attempts")).isEqualTo(2);
        assertThat(gaveUp.getString("cause")).isEqualTo("CONNECT_REFUSED");
        assertThat(of(recorded, "ReconnectScheduled").get(0).getDuration("delay")).isEqualTo(Duration.ofMillis(50));
    }

    private static List<RecordedEvent> of(List<RecordedEvent> events, String simpleName) {
        return events.stream().filter(e -> e.getEventType().getName().equals("io.resilientconnector." + simpleName))
                .collect(Collectors.toList());
    }
}
