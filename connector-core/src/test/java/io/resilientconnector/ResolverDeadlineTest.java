package io.resilientconnector;

import io.resilientconnector.testing.Closer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.Fast;
import io.resilientconnector.testing.LineServer;
import io.resilientconnector.testing.NoopInitializer;
import io.resilientconnector.transport.HostResolver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Host names that never resolve, as behind a black-holed DNS server: each attempt gives up on them after the
 * connect timeout, and they hold up no other connector, on other resources or on the same ones.
 */
class ResolverDeadlineTest {

    /** Loose enough for a busy 2-core machine: the failure must come near the timeout, not after a retry or never. */
    private static final Duration MARGIN = Duration.ofSeconds(5);

    /** Holds every lookup of a name under {@code hangs.test}; teardown counts it down so no thread stays stuck. */
    private final CountDownLatch release = new CountDownLatch(1);
    private final Map<String, AtomicInteger> lookups = new ConcurrentHashMap<>();
    private final HostResolver resolver = host -> {
        lookups.computeIfAbsent(host, h -> new AtomicInteger()).incrementAndGet();
        if (host.endsWith(".hangs.test")) {
            try {
                release.await(1, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            throw new UnknownHostException(host + ": released by the test");
        }
        if (host.equals("live.test")) {
            return new InetAddress[] {InetAddress.getByName("127.0.0.1")};
        }
        throw new UnknownHostException(host + ": not in the test's DNS");
    };
    @RegisterExtension
    final Closer closer = new Closer();

    /** Runs before the closer closes anything, so that no lookup is still held when the resolvers close. */
    @AfterEach
    void releaseLookups() {
        release.countDown();
    }

    private static ConnectorOptions options(String host, int port, Duration connectTimeout) {
        return ConnectorOptions.builder().endpoint(host, port).connectTimeout(connectTimeout).reconnect(Fast.RECONNECT)
                .build();
    }

    private ResilientConnector start(ResilientConnector.Builder builder) {
        ResilientConnector connector = closer.add(builder.handler(new NoopInitializer()).build());
        return connector.start();
    }

    private ConnectorResources resources() {
        ConnectorResources resources = closer.add(ConnectorResources.builder().threads(1).hostResolver(resolver).build());
        return resources;
    }

    @Test
    void aLookupThatHangsFailsTheAttemptAsUnresolvedAfterTheConnectTimeoutAndTheConnectorTriesAgain() throws Exception {
        Duration connectTimeout = Duration.ofMillis(500);
        Failures failures = new Failures();

        long started = System.nanoTime();
        start(ResilientConnector.builder(options("feed.hangs.test", 7000, connectTimeout)).hostResolver(resolver)
                .listener(failures));
        Disconnection first = failures.next();
        Duration took = Duration.ofNanos(failures.lastAt - started);

        assertThat(first.cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(first.exception()).isInstanceOf(UnknownHostException.class).hasMessageContaining("feed.hangs.test")
                .hasMessageContaining("timed out").hasMessageContaining("500ms");
        assertThat(took).isGreaterThanOrEqualTo(connectTimeout).isLessThan(connectTimeout.plus(MARGIN));

        Disconnection second = failures.next();
        assertThat(second.cause()).isEqualTo(DisconnectCause.UNRESOLVED);
        assertThat(second.exception()).hasMessageContaining("timed out");
        // The retry joined the lookup still under way instead of taking another thread.
        assertThat(lookups.get("feed.hangs.test")).hasValue(1);
    }

    @Test
    void namesThatHangHoldUpNoOtherConnectorOnResourcesOfItsOwnOrOnTheSameResources() throws Exception {
        ConnectorResources shared = resources();
        Failures hungA = new Failures();
        Failures hungB = new Failures();
        start(ResilientConnector.builder(options("a.hangs.test", 7000, Duration.ofMillis(300))).resources(shared)
                .listener(hungA));
        start(ResilientConnector.builder(options("b.hangs.test", 7000, Duration.ofMillis(300))).resources(shared)
                .listener(hungB));
        // Several passes each, so that their retries have asked for the hung names again and again.
        for (Failures hung : List.of(hungA, hungB)) {
            for (int i = 0; i < 3; i++) {
                assertThat(hung.next().exception()).hasMessageContaining("timed out");
            }
        }
        LineServer server = closer.add(LineServer.start());

        // A connect timeout far above loopback's: a lookup stuck behind the hung ones would fail the first attempt.
        Duration connectTimeout = Duration.ofSeconds(5);
        EventRecorder ownResources = EventRecorder.withAttempts();
        EventRecorder sameResources = EventRecorder.withAttempts();
        EventRecorder sameResourcesByIp = EventRecorder.withAttempts();
        start(ResilientConnector.builder(options("live.test", server.port(), connectTimeout)).resources(resources())
                .listener(ownResources));
        start(ResilientConnector.builder(options("live.test", server.port(), connectTimeout)).resources(shared)
                .listener(sameResources));
        start(ResilientConnector.builder(options("127.0.0.1", server.port(), connectTimeout)).resources(shared)
                .listener(sameResourcesByIp));

        for (EventRecorder events : List.of(ownResources, sameResources, sameResourcesByIp)) {
            events.await("CONNECTED", WAIT);
            assertThat(events.all()).as("the first attempt connects").noneMatch(e -> e.startsWith("ATTEMPT_FAILED"));
        }
        server.awaitOpenConnections(3);
        // Each hung name holds one lookup thread, however many attempts asked for it.
        assertThat(lookups.get("a.hangs.test")).hasValue(1);
        assertThat(lookups.get("b.hangs.test")).hasValue(1);
    }

    /** Records each failed attempt and when it was told. */
    private static final class Failures implements ConnectorListener {
        private final BlockingQueue<Disconnection> failed = new LinkedBlockingQueue<>();
        private final BlockingQueue<Long> at = new LinkedBlockingQueue<>();
        volatile long lastAt;

        @Override
        public void attemptFailed(Endpoint endpoint, InetSocketAddress address, Disconnection why) {
            at.add(System.nanoTime());
            failed.add(why);
        }

        Disconnection next() throws InterruptedException {
            Disconnection why = failed.poll(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(why).as("a failed attempt within %s", WAIT).isNotNull();
            lastAt = at.remove();
            return why;
        }
    }
}
