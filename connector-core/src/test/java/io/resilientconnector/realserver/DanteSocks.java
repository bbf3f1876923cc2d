package io.resilientconnector.realserver;

import io.resilientconnector.testing.TestEnvironment;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dante ({@code danted}), a SOCKS5 server, bound to loopback for loopback clients, that connects to any
 * loopback or remote address. Without credentials it asks for none ({@code socksmethod: none}); with them it
 * asks for RFC 1929 username/password ({@code socksmethod: username}), which Dante checks against the system's
 * accounts. So {@link #startWithUserForTest} creates a system user (no home, no shell) with {@code useradd} and
 * {@code chpasswd}, and {@link #close()} deletes it. User names carry the JVM's PID ({@code rcsocks<pid>u<n>});
 * the first start removes users left by JVMs that are gone.
 *
 * <p>It needs root: to create users, and because Dante reads the shadow passwords as root.
 */
public final class DanteSocks extends RealServer {

    private static final String USER_PREFIX = "rcsocks";
    private static final Pattern USER = Pattern.compile("^" + USER_PREFIX + "(\\d+)u\\d+:");
    private static final AtomicInteger USERS = new AtomicInteger();
    private static final AtomicBoolean SWEPT = new AtomicBoolean();

    private final String userName;
    private final String password;

    private DanteSocks(String binary, String userName, String password) throws IOException {
        super("dante", binary);
        this.userName = userName;
        this.password = password;
    }

    /** Why Dante cannot run here, or {@code null}. */
    public static String unavailableReason() {
        String missing = missingBinary("dante", "danted", "dante-server");
        if (missing != null) {
            return missing;
        }
        if (!TestEnvironment.isRoot()) {
            return "dante needs root, to check passwords against system accounts and create them; running as uid "
                    + TestEnvironment.effectiveUid();
        }
        for (String tool : List.of("useradd", "userdel", "chpasswd")) {
            if (TestEnvironment.findTool(tool) == null) {
                return "dante's username test needs " + tool + " from the Debian package passwd (apt-get install passwd)";
            }
        }
        return null;
    }

    /** Starts Dante without authentication for a JUnit test (skipped, or failed with {@code CI=true}). */
    public static DanteSocks startForTest() {
        return TestEnvironment.startForTest("dante", unavailableReason(), () -> start(null));
    }

    /**
     * Starts Dante with username/password authentication for a JUnit test, with a new system user whose
     * password is {@code password}; {@link #userName()} says who.
     */
    public static DanteSocks startWithUserForTest(String password) {
        return TestEnvironment.startForTest("dante", unavailableReason(), () -> start(password));
    }

    /** @param password the password of a system user to create, or {@code null} for no authentication */
    public static DanteSocks start(String password) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        String user = null;
        if (password != null) {
            if (SWEPT.compareAndSet(false, true)) {
                sweepLeftoverUsers();
            }
            user = USER_PREFIX + ProcessHandle.current().pid() + "u" + USERS.incrementAndGet();
            createUser(user, password);
        }
        DanteSocks dante;
        try {
            dante = new DanteSocks(TestEnvironment.findTool("danted"), user, password);
        } catch (IOException | RuntimeException e) {
            deleteUser(user);
            throw e;
        }
        dante.launchOnFreePort();
        return dante;
    }

    /** The system user that may authenticate, or {@code null} without authentication. */
    public String userName() {
        return userName;
    }

    public String password() {
        return password;
    }

    @Override
    protected void writeConfig(Path dir, int port) throws IOException {
        write(dir, "danted.conf", String.join("\n",
                "logoutput: stderr",
                "internal: " + HOST + " port = " + port,
                "external: " + HOST,
                "clientmethod: none",
                "socksmethod: " + (userName == null ? "none" : "username"),
                "user.privileged: root",
                "user.unprivileged: nobody",
                "client pass {",
                "    from: 127.0.0.0/8 to: 0.0.0.0/0",
                "}",
                "socks pass {",
                "    from: 127.0.0.0/8 to: 0.0.0.0/0",
                "    command: connect",
                "}",
                ""));
    }

    @Override
    protected List<String> command(String binary, Path dir, int port) {
        // Foreground (no -D), one process to start with, and a pid file of its own instead of /run's.
        return List.of(binary, "-f", dir.resolve("danted.conf").toString(), "-p", dir.resolve("danted.pid").toString(),
                "-N", "1");
    }

    @Override
    protected void cleanUp() {
        deleteUser(userName);
    }

    private static void createUser(String user, String password) throws IOException {
        run(null, "useradd", "--system", "--no-create-home", "--shell", "/usr/sbin/nologin", user);
        try {
            run(user + ":" + password + "\n", "chpasswd");
        } catch (IOException e) {
            deleteUser(user);
            throw e;
        }
    }

    private static void deleteUser(String user) {
        if (user == null) {
            return;
        }
        try {
            run(null, "userdel", user);
        } catch (IOException ignored) {
            // Already gone, or the sweep of a later run removes it.
        }
    }

    /** Deletes the users of earlier runs whose JVM is gone (after a {@code kill -9}, say). */
    private static void sweepLeftoverUsers() {
        try {
            for (String line : Files.readAllLines(Path.of("/etc/passwd"), StandardCharsets.UTF_8)) {
                Matcher m = USER.matcher(line);
                if (m.find() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty()) {
                    deleteUser(line.substring(0, line.indexOf(':')));
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // Leftover users are harmless: no home, no shell.
        }
    }

    /**
     * Runs a passwd tool, retrying while another process holds the lock on {@code /etc/passwd} (exit 10 from
     * useradd and userdel).
     */
    private static void run(String stdin, String tool, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>();
        command.add(TestEnvironment.findTool(tool));
        command.addAll(List.of(args));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (true) {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            String output;
            int status;
            try {
                if (!p.waitFor(20, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new IOException(tool + ": no exit within 20s");
                }
                output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                status = p.exitValue();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new IOException(tool + ": interrupted", e);
            }
            if (status == 0) {
                return;
            }
            if (status != 10 || System.nanoTime() > deadline) {
                // The output names the user at most; the password only ever goes to stdin.
                throw new IOException(tool + " " + String.join(" ", args) + ": exit " + status + ": " + output);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
        }
    }
}
