package io.resilientconnector.realserver;

import io.resilientconnector.testing.TestEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * HAProxy in TCP mode: a frontend on a loopback port that forwards every connection to one backend, with
 * client and server timeouts of an hour, so that it never closes an idle connection during a test. It is the
 * middlebox that keeps the client's TCP connection healthy while the backend behind it dies.
 */
public final class HaProxy extends RealServer {

    private final String backendHost;
    private final int backendPort;

    private HaProxy(String binary, String backendHost, int backendPort) throws IOException {
        super("haproxy", binary);
        this.backendHost = backendHost;
        this.backendPort = backendPort;
    }

    /** Why HAProxy cannot run here, or {@code null}. */
    public static String unavailableReason() {
        return missingBinary("haproxy", "haproxy", "haproxy");
    }

    /** Starts HAProxy for a JUnit test: skipped where it cannot run, failed instead with {@code CI=true}. */
    public static HaProxy startForTest(String backendHost, int backendPort) {
        return TestEnvironment.startForTest("haproxy", unavailableReason(), () -> start(backendHost, backendPort));
    }

    public static HaProxy start(String backendHost, int backendPort) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        HaProxy haproxy = new HaProxy(TestEnvironment.findTool("haproxy"), backendHost, backendPort);
        haproxy.launchOnFreePort();
        return haproxy;
    }

    @Override
    protected void writeConfig(Path dir, int port) throws IOException {
        String backend = backendHost.indexOf(':') >= 0 ? "[" + backendHost + "]" : backendHost;
        write(dir, "haproxy.cfg", String.join("\n",
                "global",
                "    maxconn 256",
                "defaults",
                "    mode tcp",
                "    timeout connect 5s",
                "    timeout client 1h",
                "    timeout server 1h",
                "frontend front",
                "    bind " + HOST + ":" + port,
                "    default_backend back",
                "backend back",
                "    server only " + backend + ":" + backendPort,
                ""));
    }

    @Override
    protected List<String> command(String binary, Path dir, int port) {
        // -db: stay in the foreground, without the master-worker fork.
        return List.of(binary, "-db", "-f", dir.resolve("haproxy.cfg").toString());
    }
}
