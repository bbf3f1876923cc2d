package io.resilientconnector.realserver;

import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The real-server harness itself: each server starts, serves, stops, and comes back on its port. */
class RealServersTest {

    @Test
    void redisAnswersUntilFrozenAndAgainWhenThawed() throws Exception {
        try (RedisServer redis = RedisServer.startForTest()) {
            assertThat(redis.ping(Duration.ofSeconds(5))).isEqualTo("+PONG");
            redis.freeze();
            assertThatThrownBy(() -> redis.ping(Duration.ofMillis(300))).isInstanceOf(SocketTimeoutException.class);
            redis.thaw();
            assertThat(redis.ping(Duration.ofSeconds(5))).isEqualTo("+PONG");
        }
    }

    @Test
    void redisClientPauseHoldsRepliesForItsDuration() throws Exception {
        try (RedisServer redis = RedisServer.startForTest()) {
            long start = System.nanoTime();
            redis.clientPause(Duration.ofSeconds(2));
            assertThat(redis.ping(Duration.ofSeconds(10))).isEqualTo("+PONG");
            // Timed from before the pause: whatever the machine's delays, the reply came no earlier than the pause's end.
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));
        }
    }

    @Test
    void haproxyForwardsToItsBackendAndComesBackOnItsPortAfterARestart() throws Exception {
        try (LineServer backend = LineServer.start(); HaProxy haproxy = HaProxy.startForTest("127.0.0.1", backend.port())) {
            sendLine(haproxy, "first");
            assertThat(backend.pollLine(5, TimeUnit.SECONDS)).isEqualTo("first");
            int port = haproxy.port();

            haproxy.kill();
            assertThat(haproxy.isRunning()).isFalse();
            assertThatThrownBy(() -> sendLine(haproxy, "refused")).isInstanceOf(IOException.class);

            haproxy.restart();
            assertThat(haproxy.port()).isEqualTo(port);
            sendLine(haproxy, "second");
            assertThat(backend.pollLine(5, TimeUnit.SECONDS)).isEqualTo("second");
        }
    }

    @Test
    void closeLeavesNoProcessBehind() throws Exception {
        TinyProxy tinyproxy = TinyProxy.startForTest();
        ProcessHandle process = ProcessHandle.of(tinyproxy.pid()).orElseThrow();
        tinyproxy.close();
        assertThat(process.isAlive()).isFalse();
        assertThat(tinyproxy.directory()).doesNotExist();
        tinyproxy.close();
    }

    private static void sendLine(RealServer server, String line) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(server.host(), server.port()), 2000);
            OutputStream out = s.getOutputStream();
            out.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }
    }
}
