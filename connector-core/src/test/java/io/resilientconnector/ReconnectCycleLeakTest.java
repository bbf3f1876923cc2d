package io.resilientconnector;

import io.resilientconnector.testing.Footprint;
import io.resilientconnector.testing.LeakGate;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * 2,000 connect/disconnect cycles of one connector, with no per-message bookkeeping in the test: afterwards
 * heap after GC, threads and file descriptors are where they were after the first 200. A slow leak of a few
 * hundred bytes per connection would show as more than the 1 MiB allowed.
 */
@ExtendWith(LeakGate.class)
class ReconnectCycleLeakTest {

    private static final int WARM_UP = 200;
    private static final int CYCLES = 2000;
    private static final long MAX_HEAP_GROWTH = 1024 * 1024;

    /** Accepts each connection and closes it at once: the connector sees PEER_CLOSED and reconnects. */
    private static final class ClosingServer implements AutoCloseable {
        final ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        final Thread acceptor = new Thread(this::run, "closing-server");

        ClosingServer() throws IOException {
            acceptor.setDaemon(true);
            acceptor.start();
        }

        private void run() {
            while (!socket.isClosed()) {
                try (Socket s = socket.accept()) {
                    s.setSoLinger(true, 0);
                } catch (IOException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            socket.close();
            acceptor.join(5000);
        }
    }

    @ParameterizedTest
    @EnumSource(value = TransportType.class, names = {"AUTO", "NIO"})
    void twoThousandCyclesLeaveHeapThreadsAndDescriptorsFlat(TransportType transport) throws Exception {
        ReconnectPolicy immediate = ReconnectPolicy.builder().stablePeriod(Duration.ZERO)
                .initialDelay(Duration.ofMillis(1)).maxDelay(Duration.ofMillis(1)).jitter(Jitter.NONE)
                .build();
        AtomicInteger ended = new AtomicInteger();
        try (ClosingServer server = new ClosingServer();
             ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                             .endpoint("127.0.0.1", server.socket.getLocalPort()).transport(transport).reconnect(immediate).build())
                     .handler(new NoopInitializer())
                     .listener(new ConnectorListener() {
                         @Override
                         public void disconnected(Disconnection why) {
                             ended.incrementAndGet();
                         }
                     }).build()) {
            connector.start();
            await().atMost(Duration.ofMinutes(2)).until(() -> ended.get() >= WARM_UP);
            Footprint before = Footprint.take();
            await().atMost(Duration.ofMinutes(3)).until(() -> ended.get() >= CYCLES);
            Footprint after = Footprint.take();
            System.out.println("CYCLES transport=" + transport + " cycles=" + ended.get() + " before: " + before
                    + " after: " + after);
            assertThat(after.heap() - before.heap()).as("heap growth after GC over %d cycles", CYCLES - WARM_UP)
                    .isLessThanOrEqualTo(MAX_HEAP_GROWTH);
            assertThat(after.threads()).as("threads").isLessThanOrEqualTo(before.threads());
            if (before.fds() >= 0) {
                assertThat(after.fds() - before.fds()).as("file descriptors").isLessThanOrEqualTo(2);
            }
        }
    }
}
