package io.resilientconnector.examples;

import io.resilientconnector.testing.Ports;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code --metrics-port}: Prometheus text at /metrics, fetched over HTTP as {@code curl} would. */
class ConnectorMainMetricsTest {

    private static final DemoServer.Schedule FAST = new DemoServer.Schedule(
            Duration.ofMillis(200), 3, Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(1500));

    @Test
    void servesTheConnectorsMetersAsPrometheusText() throws Exception {
        int port = Ports.closed();
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                .timeout(Duration.ofSeconds(5)).build();
        try (InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), FAST,
                "--metrics-port", String.valueOf(port), "--backoff-initial", "100ms", "--backoff-max", "500ms")) {
            await().atMost(Duration.ofSeconds(30)).until(() -> run.printed("CONNECTED"));
            assertThat(run.outLines()).contains("METRICS serving Prometheus metrics at http://127.0.0.1:" + port + "/metrics");

            HttpResponse<String> connected = http.send(request, HttpResponse.BodyHandlers.ofString());
            assertThat(connected.statusCode()).isEqualTo(200);
            assertThat(connected.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(connected.body()).containsPattern(
                    "resilient_connector_state\\{connector=\"example\",endpoint=\"127\\.0\\.0\\.1:\\d+\",state=\"connected\"} 1(\\.0)?\\n");
            assertThat(connected.body()).contains("resilient_connector_connect_attempts_total{cause=\"NONE\",connector=\"example\"",
                    "resilient_connector_pending_messages{", "resilient_connector_pending_bytes{",
                    "resilient_connector_sends_rejected_total{", "resilient_connector_connection_duration_seconds_count{");

            // The demo server drops every connection within 1.5 s: the disconnect shows up too.
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
                    http.send(request, HttpResponse.BodyHandlers.ofString()).body())
                    .contains("resilient_connector_disconnects_total{cause=\"PEER_CLOSED\"")
                    .contains("resilient_connector_detection_latency_seconds_count{cause=\"PEER_CLOSED\"")
                    .contains("resilient_connector_unacknowledged_bytes_count{"));

            assertThat(run.stop()).isZero();
        }
    }
}
