package io.resilientconnector.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP server on a real socket, written with blocking JDK I/O so that it shares no code with the
 * connector under test. It records every line received and every accepted connection, and can close
 * connections cleanly (FIN) or with a reset (SO_LINGER 0), stop listening, and listen again on the same port.
 */
public final class LineServer implements AutoCloseable {

    private final InetAddress bindAddress;
    private volatile int port;
    private volatile ServerSocket serverSocket;
    private volatile Thread acceptor;
    private final List<Socket> connections = new CopyOnWriteArrayList<>();
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final AtomicInteger accepted = new AtomicInteger();

    private LineServer(InetAddress bindAddress, int port) {
        this.bindAddress = bindAddress;
        this.port = port;
    }

    /** Starts a server on an ephemeral loopback port. */
    public static LineServer start() throws IOException {
        return start(InetAddress.getLoopbackAddress(), 0);
    }

    public static LineServer start(InetAddress bindAddress, int port) throws IOException {
        LineServer server = new LineServer(bindAddress, port);
        server.listen();
        return server;
    }

    /** Listens (again) on the same port. */
    public synchronized void listen() throws IOException {
        if (serverSocket != null) {
            return;
        }
        ServerSocket ss = new ServerSocket();
        ss.setReuseAddress(true);
        ss.bind(new InetSocketAddress(bindAddress, port));
        port = ss.getLocalPort();
        serverSocket = ss;
        Thread t = new Thread(() -> acceptLoop(ss), "line-server-accept-" + port);
        t.setDaemon(true);
        acceptor = t;
        t.start();
    }

    private void acceptLoop(ServerSocket ss) {
        while (!ss.isClosed()) {
            try {
                Socket s = ss.accept();
                connections.add(s);
                accepted.incrementAndGet();
                Thread reader = new Thread(() -> readLoop(s), "line-server-read-" + port);
                reader.setDaemon(true);
                reader.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void readLoop(Socket s) {
        StringBuilder line = new StringBuilder();
        try (InputStream in = s.getInputStream()) {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    lines.add(line.toString());
                    line.setLength(0);
                } else {
                    line.append((char) b);
                }
            }
        } catch (IOException ignored) {
            // The connection ended; whoever ended it knows why.
        } finally {
            connections.remove(s);
        }
    }

    public int port() {
        return port;
    }

    public int acceptedCount() {
        return accepted.get();
    }

    /**
     * Waits until this server has accepted at least {@code count} connections and returns the number
     * accepted, so a caller can also assert that no more arrived.
     */
    public int awaitAccepted(int count) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> accepted.get() >= count);
        return accepted.get();
    }

    public int openConnections() {
        return connections.size();
    }

    /**
     * Waits until {@code count} connections are open. A client sees its connect complete when the kernel
     * finishes the handshake, which can be before this server's accept() returns.
     */
    public void awaitOpenConnections(int count) {
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> connections.size() == count);
    }

    /** The next line received, waiting up to {@code timeout}, or {@code null}. */
    public String pollLine(long timeout, TimeUnit unit) throws InterruptedException {
        return lines.poll(timeout, unit);
    }

    /** Sends {@code text} to every open connection. */
    public void broadcast(String text) throws IOException {
        for (Socket s : connections) {
            OutputStream out = s.getOutputStream();
            out.write(text.getBytes(StandardCharsets.UTF_8));
            out.flush();
        }
    }

    /** Closes every open connection with a FIN. */
    public void closeConnections() {
        for (Socket s : connections) {
            closeQuietly(s);
        }
    }

    /** Closes every open connection with a RST (SO_LINGER 0). */
    public void resetConnections() throws SocketException {
        for (Socket s : connections) {
            s.setSoLinger(true, 0);
            closeQuietly(s);
        }
    }

    /** Stops listening, leaving open connections alone. */
    public synchronized void stopListening() throws InterruptedException {
        ServerSocket ss = serverSocket;
        serverSocket = null;
        if (ss != null) {
            closeQuietly(ss);
            acceptor.join(5000);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopListening();
        closeConnections();
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception ignored) {
            // Closing is best effort in a test server.
        }
    }
}
