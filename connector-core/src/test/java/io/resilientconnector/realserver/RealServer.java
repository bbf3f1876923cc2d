package io.resilientconnector.realserver;

import io.resilientconnector.testing.TestEnvironment;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

/**
 * A real server from a Debian package, run as a child process in the foreground on a free loopback port, with a
 * configuration generated into a temporary directory of its own. Starting returns once the port accepts
 * connections; {@link #kill()} and {@link #restart()} stop it and bring it back on the same port, as an
 * operator's restart would; {@link #freeze()} and {@link #thaw()} stop and resume it with SIGSTOP and SIGCONT,
 * so it holds its connections but answers nothing.
 *
 * <p>{@link #close()} kills it (SIGTERM, then SIGKILL after a deadline), reaps it, and removes its directory; a
 * shutdown hook does the same if the JVM exits without {@code close()}. Its output goes to {@code output.log}
 * in its directory, and the last lines are in the exception when it fails to start.
 */
public abstract class RealServer implements AutoCloseable {

    /** How long a server may take to accept connections. */
    public static final Duration START_TIMEOUT = Duration.ofSeconds(20);
    /** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
    public static final Duration STOP_TIMEOUT = Duration.ofSeconds(5);
    /** Loopback, where every server listens. */
    public static final String HOST = "127.0.0.1";

    private static final int START_ATTEMPTS = 3;

    private final String name;
    private final String binary;
    private final String host;
    private final List<String> prefix;
    private final Path dir;
    private final Thread shutdownHook;
    private int port;
    private Process process;
    private boolean closed;

    /**
     * @param name   a short name for messages and the directory, such as "dante"
     * @param binary the absolute path of the server's executable
     */
    protected RealServer(String name, String binary) throws IOException {
        this(name, binary, HOST, List.of());
    }

    /**
     * A server that listens on {@code host} and runs under {@code prefix}, such as
     * {@code ip netns exec <namespace>} for a server inside a fault lab's namespace, behind a link that can be cut.
     */
    protected RealServer(String name, String binary, String host, List<String> prefix) throws IOException {
        this.host = host;
        this.prefix = List.copyOf(prefix);
        this.name = name;
        this.binary = binary;
        this.dir = Files.createTempDirectory("rc-" + name + "-");
        this.shutdownHook = new Thread(this::stopQuietly, "real-server-cleanup-" + name);
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    /** Why a server needing {@code binary} from {@code debianPackage} cannot run here, or {@code null}. */
    static String missingBinary(String what, String binary, String debianPackage) {
        return TestEnvironment.findTool(binary) == null
                ? what + " needs " + binary + " from the Debian package " + debianPackage
                        + ", which is not installed (apt-get install " + debianPackage + ")"
                : null;
    }

    /** The command line that runs the server in the foreground with the configuration in {@code dir}. */
    protected abstract List<String> command(String binary, Path dir, int port) throws IOException;

    /** Writes the configuration for {@code port} into {@code dir}. */
    protected abstract void writeConfig(Path dir, int port) throws IOException;

    /**
     * Starts the server on a free loopback port and waits until the port accepts connections. Another process
     * can take the free port between choosing it and the server's bind; then it tries again with another.
     *
     * @throws IOException with the server's last output lines if it exits or does not listen in time
     */
    protected final void launchOnFreePort() throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < START_ATTEMPTS; attempt++) {
            port = freePort();
            try {
                launch();
                return;
            } catch (IOException e) {
                last = e;
            }
        }
        close();
        throw last;
    }

    private synchronized void launch() throws IOException {
        if (closed) {
            throw new IllegalStateException(name + " is closed");
        }
        writeConfig(dir, port);
        Path log = dir.resolve("output.log");
        List<String> command = new java.util.ArrayList<>(prefix);
        command.addAll(command(binary, dir, port));
        process = new ProcessBuilder(command).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw new IOException(name + " exited with status " + process.exitValue() + " before listening on "
                        + host + ":" + port + "; its output ends: " + tail(log));
            }
            if (accepts()) {
                return;
            }
            if (System.nanoTime() > deadline) {
                stopProcess();
                throw new IOException(name + " did not listen on " + host + ":" + port + " within " + START_TIMEOUT
                        + "; its output ends: " + tail(log));
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private boolean accepts() {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private int freePort() throws IOException {
        if (!HOST.equals(host)) {
            // Not an address of this namespace: no way to ask the kernel, and a fresh namespace has every port free.
            return 20_000 + java.util.concurrent.ThreadLocalRandom.current().nextInt(40_000);
        }
        try (ServerSocket ss = new ServerSocket(0, 1, InetAddress.getByName(HOST))) {
            return ss.getLocalPort();
        }
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The server process's id. */
    public synchronized long pid() {
        return process.pid();
    }

    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    /** Stops the server, as a crash or an operator would: connections through it end. */
    public synchronized void kill() {
        stopProcess();
    }

    /** Starts the server again on the same port, with the same configuration. */
    public synchronized void restart() throws IOException {
        stopProcess();
        launch();
    }

    /** Stops the server with SIGSTOP: it keeps its sockets open but reads and answers nothing. */
    public void freeze() throws IOException {
        signal("STOP");
    }

    /** Resumes a {@linkplain #freeze() frozen} server with SIGCONT. */
    public void thaw() throws IOException {
        signal("CONT");
    }

    private void signal(String signal) throws IOException {
        long pid = pid();
        Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
        try {
            if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
                throw new IOException("kill -" + signal + " " + pid + " failed: "
                        + new String(kill.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted sending SIG" + signal + " to " + name, e);
        }
    }

    /** The server's working directory, with its configuration and {@code output.log}. */
    public Path directory() {
        return dir;
    }

    /**
     * SIGTERM to the server (SIGKILL if it has not exited after {@link #STOP_TIMEOUT}), then SIGKILL to whatever
     * it forked that outlives it, and a wait for each, so that no zombie or orphan is left.
     */
    private synchronized void stopProcess() {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        List<ProcessHandle> children = p.descendants().toList();
        // A frozen server would never act on SIGTERM.
        try {
            signal("CONT");
        } catch (IOException ignored) {
            // It exited meanwhile.
        }
        long deadline = System.nanoTime() + STOP_TIMEOUT.toNanos();
        p.destroy();
        stopped(p.toHandle(), deadline);
        // Dante's workers notice the main process is gone only a couple of seconds later; nothing of theirs
        // needs a clean exit.
        children.forEach(ProcessHandle::destroyForcibly);
        children.forEach(h -> stopped(h, deadline));
        try {
            p.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Waits for {@code h} to exit until {@code deadline}, then kills it. It polls: for a process that is not
     * this JVM's child, such as a server's own worker, {@code onExit()} notices an exit only seconds later.
     */
    private static void stopped(ProcessHandle h, long deadline) {
        while (running(h) && System.nanoTime() < deadline) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        if (running(h)) {
            h.destroyForcibly();
        }
    }

    /**
     * Whether {@code h} still runs. A worker whose parent died is a zombie until init reaps it, which can take
     * seconds; a zombie holds no sockets, so it counts as gone.
     */
    private static boolean running(ProcessHandle h) {
        if (!h.isAlive()) {
            return false;
        }
        try {
            String stat = Files.readString(Path.of("/proc", Long.toString(h.pid()), "stat"));
            int end = stat.lastIndexOf(')');
            return end < 0 || end + 2 >= stat.length() || stat.charAt(end + 2) != 'Z';
        } catch (IOException e) {
            return h.isAlive();
        }
    }

    private void stopQuietly() {
        try {
            stopProcess();
        } catch (RuntimeException ignored) {
            // Best effort while the JVM exits.
        }
        cleanUp();
    }

    /** Undoes what the server needed outside its directory, such as a system user. Runs once, at close. */
    protected void cleanUp() {
    }

    /** Kills the server, removes its directory, and undoes {@link #cleanUp()}. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            stopProcess();
        }
        cleanUp();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException ignored) {
            // The JVM is already exiting; the hook runs anyway.
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // A temporary directory left behind is harmless.
        }
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join(" | ", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
        } catch (IOException e) {
            return "(no output: " + e.getMessage() + ")";
        }
    }

    /** Writes {@code text} to {@code dir/file}, readable only by its owner (it may hold a password). */
    static Path write(Path dir, String file, String text) throws IOException {
        Path path = dir.resolve(file);
        Files.writeString(path, text, StandardCharsets.UTF_8);
        path.toFile().setReadable(false, false);
        path.toFile().setReadable(true, true);
        return path;
    }

    @Override
    public String toString() {
        return name + " on " + HOST + ":" + port;
    }
}
