package io.resilientconnector.realserver;

import io.resilientconnector.testing.TestEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Tinyproxy, an HTTP proxy that tunnels with {@code CONNECT} to any port, on a loopback port and for loopback
 * clients only, optionally with basic authentication. Tinyproxy 1.11 answers a missing
 * {@code Proxy-Authorization} with 407 and a wrong one with 401.
 */
public final class TinyProxy extends RealServer {

    private final String userName;
    private final String password;

    private TinyProxy(String binary, String userName, String password) throws IOException {
        super("tinyproxy", binary);
        this.userName = userName;
        this.password = password;
    }

    /** Why Tinyproxy cannot run here, or {@code null}. */
    public static String unavailableReason() {
        return missingBinary("tinyproxy", "tinyproxy", "tinyproxy");
    }

    /** Starts Tinyproxy without authentication for a JUnit test (skipped, or failed with {@code CI=true}). */
    public static TinyProxy startForTest() {
        return startForTest(null, null);
    }

    /** Starts Tinyproxy with basic authentication for a JUnit test (skipped, or failed with {@code CI=true}). */
    public static TinyProxy startForTest(String userName, String password) {
        return TestEnvironment.startForTest("tinyproxy", unavailableReason(), () -> start(userName, password));
    }

    /** @param userName the user for basic authentication, or {@code null} for none */
    public static TinyProxy start(String userName, String password) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        if ((userName == null) != (password == null)) {
            throw new IllegalArgumentException("userName and password: give both or neither");
        }
        TinyProxy proxy = new TinyProxy(TestEnvironment.findTool("tinyproxy"), userName, password);
        proxy.launchOnFreePort();
        return proxy;
    }

    @Override
    protected void writeConfig(Path dir, int port) throws IOException {
        List<String> lines = new ArrayList<>(List.of(
                "Port " + port,
                "Listen " + HOST,
                "Timeout 3600",
                "MaxClients 64",
                "Allow " + HOST,
                "LogLevel Info",
                "PidFile \"" + dir.resolve("tinyproxy.pid") + "\""));
        // No ConnectPort line: CONNECT may go to any port, such as a test server's ephemeral one.
        if (userName != null) {
            lines.add("BasicAuth " + userName + " " + password);
        }
        lines.add("");
        write(dir, "tinyproxy.conf", String.join("\n", lines));
    }

    @Override
    protected List<String> command(String binary, Path dir, int port) {
        return List.of(binary, "-d", "-c", dir.resolve("tinyproxy.conf").toString());
    }
}
