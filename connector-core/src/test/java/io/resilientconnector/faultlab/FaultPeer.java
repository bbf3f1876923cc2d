package io.resilientconnector.faultlab;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.BitSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The peer a {@link FaultLab} runs inside its network namespace: a small TCP server in its own JVM, written
 * with blocking JDK I/O only, so that it shares no code with the connector under test and its class path is
 * just the directory or jar this class comes from.
 *
 * <p>It is driven over standard input, one command a line, and answers each with exactly one line on
 * standard output. It exits when standard input ends, so it never outlives the JVM that started it.
 * <ul>
 *   <li>{@code SEND text}: writes {@code text} and a newline to every open connection;</li>
 *   <li>{@code STALL} / {@code RESUME}: stops and resumes reading, so that the receive window fills;</li>
 *   <li>{@code RESET}: closes every connection with SO_LINGER 0, which sends a RST;</li>
 *   <li>{@code CLOSE}: closes every connection in an orderly way (FIN);</li>
 *   <li>{@code RESTART}: as a server process that dies and comes back: stops listening, resets every
 *       connection, and listens again on the same port;</li>
 *   <li>{@code STATS}: connections accepted and open, lines and bytes received, duplicate numbers, and
 *       numbers that arrived after a higher one (out of order);</li>
 *   <li>{@code NUMBERS}: the message numbers received, as ranges such as {@code 0-41,43-97}. A numbered
 *       line starts with decimal digits followed by {@code ':'};</li>
 *   <li>{@code QUIT}.</li>
 * </ul>
 * Arguments: bind address, port (0 for any) and the receive buffer size to ask for on accepted sockets.
 */
public final class FaultPeer {

    private volatile ServerSocket server;
    private final int receiveBuffer;
    private final PrintStream out;
    private final List<Socket> open = new CopyOnWriteArrayList<>();
    private final Object gate = new Object();
    private volatile boolean stalled;

    private final Object counts = new Object();
    // Guarded by counts.
    private final BitSet numbers = new BitSet();
    private long duplicates;
    private long outOfOrder;
    private int highest = -1;
    private long lines;
    private long bytes;
    private int accepted;

    private FaultPeer(ServerSocket server, int receiveBuffer, PrintStream out) {
        this.server = server;
        this.receiveBuffer = receiveBuffer;
        this.out = out;
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 3) {
            System.err.println("usage: FaultPeer <bind address> <port> <receive buffer bytes>");
            System.exit(2);
        }
        int receiveBuffer = Integer.parseInt(args[2]);
        ServerSocket server = listen(new InetSocketAddress(InetAddress.getByName(args[0]), Integer.parseInt(args[1])),
                receiveBuffer);
        PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
        FaultPeer peer = new FaultPeer(server, receiveBuffer, out);
        peer.startAccepting(server);
        out.println("LISTENING " + server.getInetAddress().getHostAddress() + " " + server.getLocalPort());
        peer.commandLoop(new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)));
        System.exit(0);
    }

    private static ServerSocket listen(InetSocketAddress address, int receiveBuffer) throws IOException {
        ServerSocket server = new ServerSocket();
        // Set before bind, so that accepted sockets inherit it and the window scale offered in the SYN-ACK
        // matches: a small buffer makes the window close quickly once the peer stops reading.
        server.setReceiveBufferSize(receiveBuffer);
        server.setReuseAddress(true);
        server.bind(address);
        return server;
    }

    private void startAccepting(ServerSocket listening) {
        Thread acceptor = new Thread(() -> acceptLoop(listening), "fault-peer-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    private int restart() throws IOException {
        ServerSocket old = server;
        InetSocketAddress address = (InetSocketAddress) old.getLocalSocketAddress();
        old.close();
        int reset = closeAll(true);
        // A reset socket whose reader thread is still inside read() is only released when that read returns,
        // and holds the port until then; a server coming back retries its bind, as this one does.
        ServerSocket fresh = null;
        for (int attempt = 1; fresh == null; attempt++) {
            try {
                fresh = listen(address, receiveBuffer);
            } catch (java.net.BindException e) {
                if (attempt == 200) {
                    throw e;
                }
                try {
                    Thread.sleep(10);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
        server = fresh;
        startAccepting(fresh);
        return reset;
    }

    private void commandLoop(BufferedReader in) throws IOException {
        String line;
        while ((line = in.readLine()) != null) {
            int space = line.indexOf(' ');
            String command = space < 0 ? line : line.substring(0, space);
            String argument = space < 0 ? "" : line.substring(space + 1);
            try {
                switch (command) {
                    case "SEND":
                        out.println("OK SEND " + send(argument));
                        break;
                    case "STALL":
                        stalled = true;
                        out.println("OK STALL");
                        break;
                    case "RESUME":
                        synchronized (gate) {
                            stalled = false;
                            gate.notifyAll();
                        }
                        out.println("OK RESUME");
                        break;
                    case "RESET":
                        out.println("OK RESET " + closeAll(true));
                        break;
                    case "CLOSE":
                        out.println("OK CLOSE " + closeAll(false));
                        break;
                    case "RESTART":
                        out.println("OK RESTART " + restart());
                        break;
                    case "STATS":
                        out.println(stats());
                        break;
                    case "NUMBERS":
                        out.println("NUMBERS " + ranges());
                        break;
                    case "QUIT":
                        closeAll(true);
                        out.println("OK QUIT");
                        return;
                    default:
                        out.println("ERR unknown command: " + command);
                }
            } catch (IOException | RuntimeException e) {
                out.println("ERR " + command + ": " + e);
            }
        }
    }

    private void acceptLoop(ServerSocket listening) {
        while (true) {
            Socket s;
            try {
                s = listening.accept();
            } catch (IOException e) {
                return;
            }
            open.add(s);
            synchronized (counts) {
                accepted++;
            }
            Thread reader = new Thread(() -> readLoop(s), "fault-peer-read");
            reader.setDaemon(true);
            reader.start();
        }
    }

    private void readLoop(Socket s) {
        byte[] buffer = new byte[8192];
        // A line is only counted once it is complete: a message cut short by a dead link was not delivered.
        StringBuilder line = new StringBuilder();
        try (InputStream in = s.getInputStream()) {
            while (true) {
                awaitNotStalled();
                int n = in.read(buffer);
                if (n < 0) {
                    return;
                }
                synchronized (counts) {
                    bytes += n;
                    for (int i = 0; i < n; i++) {
                        char c = (char) (buffer[i] & 0xff);
                        if (c == '\n') {
                            countLine(line);
                            line.setLength(0);
                        } else if (line.length() < 32) {
                            // Only the number at the start matters; the padding after it is not kept.
                            line.append(c);
                        }
                    }
                }
            }
        } catch (IOException | InterruptedException ignored) {
            // The connection ended; the side under test reports why.
        } finally {
            open.remove(s);
        }
    }

    private void countLine(CharSequence line) {
        lines++;
        int colon = -1;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == ':') {
                colon = i;
                break;
            }
            if (c < '0' || c > '9') {
                return;
            }
        }
        if (colon <= 0 || colon > 9) {
            return;
        }
        int number = Integer.parseInt(line, 0, colon, 10);
        if (numbers.get(number)) {
            duplicates++;
        } else if (number < highest) {
            outOfOrder++;
        }
        highest = Math.max(highest, number);
        numbers.set(number);
    }

    private void awaitNotStalled() throws InterruptedException {
        if (!stalled) {
            return;
        }
        synchronized (gate) {
            while (stalled) {
                gate.wait();
            }
        }
    }

    private int send(String text) throws IOException {
        byte[] data = (text + "\n").getBytes(StandardCharsets.UTF_8);
        int sent = 0;
        for (Socket s : open) {
            OutputStream o = s.getOutputStream();
            o.write(data);
            o.flush();
            sent++;
        }
        return sent;
    }

    private int closeAll(boolean reset) {
        int closed = 0;
        for (Socket s : open) {
            try {
                if (reset) {
                    s.setSoLinger(true, 0);
                }
                s.close();
                closed++;
            } catch (IOException ignored) {
                // Already gone.
            }
            open.remove(s);
        }
        return closed;
    }

    private String stats() {
        synchronized (counts) {
            return "STATS accepted=" + accepted + " open=" + open.size() + " lines=" + lines + " bytes=" + bytes
                    + " duplicates=" + duplicates + " outOfOrder=" + outOfOrder + " stalled=" + stalled;
        }
    }

    private String ranges() {
        StringBuilder s = new StringBuilder();
        synchronized (counts) {
            for (int from = numbers.nextSetBit(0); from >= 0; ) {
                int to = numbers.nextClearBit(from) - 1;
                if (s.length() > 0) {
                    s.append(',');
                }
                s.append(from);
                if (to > from) {
                    s.append('-').append(to);
                }
                from = numbers.nextSetBit(to + 1);
            }
        }
        return s.length() == 0 ? "-" : s.toString();
    }
}
