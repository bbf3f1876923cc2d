package io.resilientconnector;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.util.internal.PlatformDependent;
import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.CountingSink;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Transports;
import io.resilientconnector.transport.TransportType;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A peer that floods data cannot make the receive path buffer without limit: the connector's handlers pass
 * each buffer on and keep nothing, and an application that reads slowly applies backpressure with auto-read,
 * which the connector leaves to it.
 */
class FloodTest {

    private static final long FLOOD_BYTES = 256L * 1024 * 1024;
    /**
     * What the README promises: the direct memory Netty holds grows by less than 1 MiB while 256 MiB stream in.
     * Growth, because the count is the whole JVM's, and earlier tests leave pooled memory behind.
     */
    private static final long MEMORY_BOUND = 1024L * 1024;

    @RegisterExtension
    final Closer closer = new Closer();

    private ResilientConnector connector;
    private final AtomicLong sent = new AtomicLong();

    private int floodingServer() throws IOException {
        ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        Thread flooder = new Thread(() -> {
            byte[] chunk = new byte[64 * 1024];
            for (int i = 0; i < chunk.length; i++) {
                chunk[i] = (byte) (i % 7 == 0 ? '\n' : i % 7 == 1 ? '\r' : i % 7 == 2 ? 0x1b : i);
            }
            try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                while (sent.get() < FLOOD_BYTES) {
                    out.write(chunk);
                    sent.addAndGet(chunk.length);
                }
            } catch (IOException ignored) {
                // The client closed: the test is over.
            }
        }, "flooder");
        flooder.setDaemon(true);
        // The flooder is waited for last, once the connector and the server, which end its writes, are closed.
        closer.add(flooder, t -> t.join(10_000));
        closer.add(server);
        flooder.start();
        return server.getLocalPort();
    }

    /** Starts the connector with {@code handler} as the application's pipeline and waits until it connects. */
    private EventRecorder connect(TransportType type, int port, ChannelHandler handler) throws InterruptedException {
        EventRecorder events = new EventRecorder();
        connector = closer.add(ResilientConnector.builder(ConnectorOptions.builder().endpoint("127.0.0.1", port)
                .transport(type).build()).handler(handler).listener(events).build()).start();
        events.await("CONNECTED", WAIT);
        return events;
    }

    /** The direct memory Netty holds now, in the whole JVM. */
    private static long directMemory() {
        long used = PlatformDependent.usedDirectMemory();
        // -1 means Netty leaves its direct buffers to the JDK's cleaner and counts nothing: the bound could then
        // never fail.
        assertThat(used).as("Netty counts the direct memory it holds").isNotNegative();
        return used;
    }

    /** Samples the direct memory Netty holds until {@code done}, returning the peak above {@code baseline}. */
    private static long peakDirectMemoryUntil(long baseline, java.util.function.BooleanSupplier done, Duration timeout)
            throws InterruptedException {
        long peak = 0;
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!done.getAsBoolean()) {
            peak = Math.max(peak, directMemory() - baseline);
            assertThat(System.nanoTime()).as("flood finished within %s", timeout).isLessThan(deadline);
            Thread.sleep(5); // sampling period, not a wait for the code under test
        }
        return peak;
    }

    @ParameterizedTest
    @EnumSource(value = TransportType.class, names = {"EPOLL", "NIO"})
    void aConsumingApplicationHoldsBoundedMemoryWhileThePeerFloods(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        long baseline = directMemory();
        int port = floodingServer();
        CountingSink received = new CountingSink();
        EventRecorder events = connect(type, port, received);
        long peak = peakDirectMemoryUntil(baseline, () -> received.bytes() >= FLOOD_BYTES, Duration.ofSeconds(60));
        System.out.printf("FLOOD transport=%s received=%d MiB peakDirectMemoryGrowth=%d KiB%n",
                type, received.bytes() >> 20, peak >> 10);
        assertThat(peak).isLessThan(MEMORY_BOUND);
        // The flooder closes after its last byte; nothing may have ended the connection before that.
        assertThat(events.disconnections()).allMatch(d -> d.cause() == DisconnectCause.PEER_CLOSED);
    }

    @ParameterizedTest
    @EnumSource(value = TransportType.class, names = {"EPOLL", "NIO"})
    void aSlowApplicationPushesBackWithAutoReadAndMemoryStaysBounded(TransportType type) throws Exception {
        Transports.assumeAvailable(type);
        long baseline = directMemory();
        int port = floodingServer();
        CountingSink received = new CountingSink() {
            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                ctx.read();
                ctx.fireChannelActive();
            }

            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                super.channelRead(ctx, msg);
                // A slow consumer: ask for more only a millisecond later.
                ctx.executor().schedule(() -> {
                    ctx.read();
                }, 1, TimeUnit.MILLISECONDS);
            }
        };
        connect(type, port, new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setAutoRead(false);
                ch.pipeline().addLast(received);
            }
        });
        long target = 16L * 1024 * 1024;
        long peak = peakDirectMemoryUntil(baseline, () -> received.bytes() >= target, Duration.ofSeconds(60));
        // The peer is held back by the TCP window instead of filling the client's memory.
        long unsent = FLOOD_BYTES - sent.get();
        System.out.printf("FLOOD-SLOW transport=%s received=%d MiB peerSent=%d MiB peakDirectMemoryGrowth=%d KiB%n",
                type, received.bytes() >> 20, sent.get() >> 20, peak >> 10);
        assertThat(peak).isLessThan(MEMORY_BOUND);
        assertThat(unsent).as("the peer was held back").isGreaterThan(0);
        await().atMost(Duration.ofSeconds(5)).until(() -> connector.state() == ConnectorState.CONNECTED);
    }
}
