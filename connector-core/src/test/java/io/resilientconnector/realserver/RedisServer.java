package io.resilientconnector.realserver;

import io.resilientconnector.testing.TestEnvironment;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * {@code redis-server} on a loopback port, without persistence: {@code save ""} and {@code appendonly no}.
 *
 * <pre>{@code
 * try (RedisServer redis = RedisServer.startForTest()) {
 *     // connect to redis.host():redis.port(); redis.freeze() to make it hang, redis.kill() to make it die
 * }
 * }</pre>
 */
public final class RedisServer extends RealServer {

    private RedisServer(String binary, String host, List<String> prefix) throws IOException {
        super("redis", binary, host, prefix);
    }

    /** Why Redis cannot run here, or {@code null}. */
    public static String unavailableReason() {
        return missingBinary("redis", "redis-server", "redis-server");
    }

    /** Starts Redis for a JUnit test: skipped where it cannot run, failed instead with {@code CI=true}. */
    public static RedisServer startForTest() {
        return TestEnvironment.startForTest("redis", unavailableReason(), RedisServer::start);
    }

    public static RedisServer start() throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        RedisServer redis = new RedisServer(TestEnvironment.findTool("redis-server"), HOST, List.of());
        redis.launchOnFreePort();
        return redis;
    }

    /**
     * Starts Redis inside network namespace {@code namespace}, listening on {@code host}, an address of that
     * namespace: a fault lab's peer, whose link can be cut.
     */
    public static RedisServer startIn(String namespace, String host) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        String ip = TestEnvironment.findTool("ip");
        if (ip == null) {
            throw new IOException("redis in a namespace needs ip from the Debian package iproute2");
        }
        RedisServer redis = new RedisServer(TestEnvironment.findTool("redis-server"), host,
                List.of(ip, "netns", "exec", namespace));
        redis.launchOnFreePort();
        return redis;
    }

    @Override
    protected void writeConfig(Path dir, int port) throws IOException {
        write(dir, "redis.conf", String.join("\n",
                "port " + port,
                "bind " + host(),
                "protected-mode no",
                "save \"\"",
                "appendonly no",
                "daemonize no",
                "dir " + dir,
                "logfile \"\"",
                ""));
    }

    @Override
    protected List<String> command(String binary, Path dir, int port) {
        return List.of(binary, dir.resolve("redis.conf").toString());
    }

    /**
     * Sends {@code CLIENT PAUSE <duration>} over a connection of its own: Redis then leaves every client's
     * commands unanswered for that long, while its sockets stay healthy.
     */
    public void clientPause(Duration duration) throws IOException {
        String reply = command(Duration.ofSeconds(5), "CLIENT", "PAUSE", Long.toString(duration.toMillis()));
        if (!reply.equals("+OK")) {
            throw new IOException("CLIENT PAUSE: " + reply);
        }
    }

    /**
     * Sends {@code PING}; returns the reply line, {@code +PONG} from a healthy server.
     *
     * @throws java.net.SocketTimeoutException if no reply comes within {@code timeout}, as from a frozen server
     */
    public String ping(Duration timeout) throws IOException {
        return command(timeout, "PING");
    }

    /** Sends one command in RESP and returns the first line of the reply. */
    private String command(Duration timeout, String... words) throws IOException {
        StringBuilder resp = new StringBuilder("*").append(words.length).append("\r\n");
        for (String w : words) {
            resp.append('$').append(w.getBytes(StandardCharsets.UTF_8).length).append("\r\n").append(w).append("\r\n");
        }
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host(), port()), 2000);
            s.setSoTimeout((int) timeout.toMillis());
            s.getOutputStream().write(resp.toString().getBytes(StandardCharsets.UTF_8));
            InputStream in = s.getInputStream();
            StringBuilder line = new StringBuilder();
            int b;
            while ((b = in.read()) != -1 && b != '\n') {
                if (b != '\r') {
                    line.append((char) b);
                }
            }
            return line.toString();
        }
    }
}
