package io.resilientconnector.examples;

import io.resilientconnector.testing.TlsLineServer;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ConnectorMainTlsTest {

    @Test
    void connectsOverTlsTrustingAGivenCa() throws Exception {
        Path ca = Files.createTempFile("ca", ".pem");
        try (InputStream in = TlsLineServer.caCertificate()) {
            Files.copy(in, ca, StandardCopyOption.REPLACE_EXISTING);
        }
        try (TlsLineServer server = new TlsLineServer("localhost");
             InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(server.port()), "--tls-trust", ca.toString())) {
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED"));
        } finally {
            Files.delete(ca);
        }
    }

    @Test
    void reportsAnUntrustedServerAsATlsHandshakeFailure() throws Exception {
        try (TlsLineServer server = new TlsLineServer("localhost");
             InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(server.port()), "--tls")) {
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECT_FAILED"));
            assertThat(run.outLines()).filteredOn(l -> l.startsWith("CONNECT_FAILED")).first().asString()
                    .startsWith("CONNECT_FAILED cause=TLS_HANDSHAKE");
            assertThat(run.printed("CONNECTED")).isFalse();
        }
    }

    @Test
    void tlsHandshakeTimeoutBoundsAHandshakeTheServerNeverAnswers() throws Exception {
        // The kernel completes the TCP connection from the backlog; nothing ever answers the ClientHello.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                     "--host", "127.0.0.1", "--port", String.valueOf(silent.getLocalPort()), "--tls",
                     "--tls-handshake-timeout", "300ms")) {
            // Well before the 10 s the handshake would otherwise get.
            await().atMost(Duration.ofSeconds(5)).until(() -> run.printed("CONNECT_FAILED"));
            assertThat(run.outLines()).filteredOn(l -> l.startsWith("CONNECT_FAILED")).first().asString()
                    .startsWith("CONNECT_FAILED cause=TLS_HANDSHAKE").contains("the TLS handshake timed out: not done within 300ms");
            assertThat(run.printed("CONNECTED")).isFalse();
        }
    }
}
