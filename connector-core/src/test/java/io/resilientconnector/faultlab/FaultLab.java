package io.resilientconnector.faultlab;

import io.resilientconnector.testing.TestEnvironment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.net.URISyntaxException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;


/**
 * A real peer behind a link that can be cut: a network namespace joined to this host by a veth pair, with a
 * {@link FaultPeer} listening inside it, and faults injected the way they happen in production.
 *
 * <pre>{@code
 * try (FaultLab lab = FaultLab.startForTest()) {          // skips off Linux or without root
 *     ConnectorOptions options = ConnectorOptions.builder()
 *             .endpoint(lab.peerHost(), lab.peerPort())
 *             .keepAlive(KeepAliveOptions.builder().idle(ofSeconds(2)).interval(ofSeconds(1)).count(3).build())
 *             .build();
 *     // ... start a connector, wait for it to connect ...
 *     lab.blackhole();                                     // every packet to and from the peer is dropped
 *     // ... expect DISCONNECTED cause=TIMED_OUT within 5 s ...
 *     lab.heal();
 * }
 * }</pre>
 *
 * <h2>Faults</h2>
 * <ul>
 *   <li>{@link #blackhole()}: nftables rules inside the namespace drop every packet, both ways, as a firewall
 *       or a dead router would: no RST, no ICMP, nothing;</li>
 *   <li>{@link #heal()}: removes those rules;</li>
 *   <li>{@link #resetConnections()}: the peer closes its connections with SO_LINGER 0, which sends a RST;</li>
 *   <li>{@link #stallReading()}: the peer stops reading; its receive buffer is small, so its window soon
 *       closes and the sender is left probing a zero window.</li>
 * </ul>
 * Each fault is in force when the method returns.
 *
 * <h2>Footprint</h2>
 * It needs Linux, root, {@code ip} (iproute2) and {@code nft} (nftables). It changes nothing in this host's
 * namespace except the host end of its own veth pair and that link's route: it adds no firewall rule and no
 * other route here. Addresses come from the benchmarking range 198.18.0.0/15 (RFC 2544), one /30 per lab,
 * chosen under a file lock so that concurrent runs do not collide. Names carry the owner's PID
 * ({@code rcl<pid>n<k>}, with {@code h} and {@code p} for the two veth ends); {@link #start()} first removes
 * the namespaces and links of earlier runs whose owner is gone, and a shutdown hook removes this one's if
 * the JVM exits without {@link #close()}. The peer exits when its standard input closes, so it never
 * outlives this JVM.
 */
public final class FaultLab implements AutoCloseable {

    /** Defaults to 4096 bytes (the kernel doubles it): the window closes within milliseconds of a stall. */
    public static final int DEFAULT_PEER_RECEIVE_BUFFER = 4096;

    static final String PREFIX = "rcl";
    private static final Pattern NAME = Pattern.compile(PREFIX + "(\\d+)n(\\d+)([hp]?)");
    private static final String TABLE = "rcfaultlab";
    /** 198.18.0.0, the start of the benchmarking range. */
    private static final int RANGE_BASE = (198 << 24) | (18 << 16);
    /** The /30 blocks in 198.18.0.0/15. */
    private static final int BLOCKS = 1 << 15;
    private static final long PEER_START_TIMEOUT_SECONDS = 60;
    private static final long COMMAND_TIMEOUT_SECONDS = 20;

    private static final AtomicInteger COUNTER = new AtomicInteger();
    private static final AtomicBoolean SWEPT = new AtomicBoolean();

    private final String ip;
    private final String nft;
    private final String namespace;
    private final String hostInterface;
    private final String peerInterface;
    private final String hostAddress;
    private final String peerAddress;
    private final Thread shutdownHook;

    private Process peer;
    private PrintWriter peerIn;
    private final BlockingQueue<String> peerReplies = new LinkedBlockingQueue<>();
    private int peerPort;
    private boolean blackholed;
    private boolean closed;

    private FaultLab(String ip, String nft, String namespace, int block) {
        this.ip = ip;
        this.nft = nft;
        this.namespace = namespace;
        this.hostInterface = namespace + "h";
        this.peerInterface = namespace + "p";
        this.hostAddress = address(RANGE_BASE + block * 4 + 1);
        this.peerAddress = address(RANGE_BASE + block * 4 + 2);
        this.shutdownHook = new Thread(this::closeQuietly, "fault-lab-cleanup-" + namespace);
    }

    /**
     * Why a lab cannot run here, or {@code null} if it can: it needs Linux, root, {@code ip} and {@code nft}.
     */
    public static String unavailableReason() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(Locale.ROOT).contains("linux")) {
            return "the fault lab needs Linux network namespaces; this is " + os;
        }
        Integer uid = TestEnvironment.effectiveUid();
        if (uid == null || uid != 0) {
            return "the fault lab needs root to create network namespaces and veth pairs; running as uid " + uid;
        }
        if (Commands.find("ip") == null) {
            return "the fault lab needs ip from iproute2, which is not installed (apt-get install iproute2)";
        }
        if (Commands.find("nft") == null) {
            return "the fault lab needs nft from nftables, which is not installed (apt-get install nftables)";
        }
        return null;
    }

    /**
     * Starts a lab for a JUnit test. Where a lab cannot run, the test is skipped and the reason printed, except
     * on Linux with the environment variable {@code CI=true}, where the test fails with the reason instead:
     * CI must run the fault tests, not skip them quietly.
     */
    public static FaultLab startForTest() {
        return TestEnvironment.startForTest("fault lab", unavailableReason(), FaultLab::start);
    }

    /**
     * Creates the namespace, the veth pair and the peer.
     *
     * @throws IOException with the failing command and its error output if any step fails; whatever was
     *                     created is removed again
     */
    public static FaultLab start() throws IOException {
        return start(DEFAULT_PEER_RECEIVE_BUFFER);
    }

    /** {@link #start()} with the peer's receive buffer size, which sets how soon a stall closes the window. */
    public static FaultLab start(int peerReceiveBuffer) throws IOException {
        String reason = unavailableReason();
        if (reason != null) {
            throw new IOException(reason);
        }
        String ip = Commands.find("ip");
        String nft = Commands.find("nft");
        if (SWEPT.compareAndSet(false, true)) {
            sweepLeftovers(ip);
        }
        long pid = ProcessHandle.current().pid();
        FaultLab lab = null;
        // A file lock excludes other JVMs; within this one, the JVM refuses overlapping locks, so threads queue here.
        synchronized (FaultLab.class) {
            try (FileChannel lockFile = FileChannel.open(lockPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock ignored = lockFile.lock()) {
                // Under the lock, choosing a free /30 and assigning it is atomic among labs on this machine.
                String namespace = freeNamespace(ip, pid);
                int block = freeBlock(ip, pid);
                lab = new FaultLab(ip, nft, namespace, block);
                Runtime.getRuntime().addShutdownHook(lab.shutdownHook);
                lab.createLink();
            } catch (IOException | RuntimeException e) {
                if (lab != null) {
                    lab.close();
                }
                throw e;
            }
        }
        try {
            lab.startPeer(peerReceiveBuffer);
        } catch (IOException | RuntimeException e) {
            lab.close();
            throw e;
        }
        return lab;
    }

    private void createLink() throws IOException {
        Commands.run(ip, "netns", "add", namespace);
        Commands.run(ip, "link", "add", hostInterface, "type", "veth", "peer", "name", peerInterface,
                "netns", namespace);
        Commands.run(ip, "addr", "add", hostAddress + "/30", "dev", hostInterface);
        Commands.run(ip, "link", "set", hostInterface, "up");
        Commands.run(ip, "-n", namespace, "addr", "add", peerAddress + "/30", "dev", peerInterface);
        Commands.run(ip, "-n", namespace, "link", "set", peerInterface, "up");
        Commands.run(ip, "-n", namespace, "link", "set", "lo", "up");
    }

    private void startPeer(int receiveBuffer) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = List.of(ip, "netns", "exec", namespace, java,
                "-Xmx64m", "-Xss512k", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", peerClassPath(), FaultPeer.class.getName(), peerAddress, "0", Integer.toString(receiveBuffer));
        peer = new ProcessBuilder(command).start();
        peerIn = new PrintWriter(peer.getOutputStream(), true, StandardCharsets.UTF_8);
        Thread replies = new Thread(() -> forward(new BufferedReader(
                new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8)), peerReplies), "fault-lab-peer-out");
        replies.setDaemon(true);
        replies.start();
        Thread errors = new Thread(() -> forward(new BufferedReader(
                new InputStreamReader(peer.getErrorStream(), StandardCharsets.UTF_8)), null), "fault-lab-peer-err");
        errors.setDaemon(true);
        errors.start();
        String listening = awaitReply(PEER_START_TIMEOUT_SECONDS);
        if (listening == null || !listening.startsWith("LISTENING ")) {
            throw new IOException("the peer in namespace " + namespace + " did not start: "
                    + (listening == null ? "no answer within " + PEER_START_TIMEOUT_SECONDS + "s" : listening));
        }
        peerPort = Integer.parseInt(listening.substring(listening.lastIndexOf(' ') + 1));
    }

    private static void forward(BufferedReader from, BlockingQueue<String> to) {
        try (BufferedReader r = from) {
            String line;
            while ((line = r.readLine()) != null) {
                if (to != null) {
                    to.add(line);
                } else {
                    System.err.println("fault peer: " + line);
                }
            }
        } catch (IOException ignored) {
            // The peer exited.
        }
    }

    private static String peerClassPath() throws IOException {
        try {
            // The peer uses the JDK only, so the directory or jar holding its class is its whole class path.
            return Path.of(FaultPeer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        } catch (URISyntaxException | RuntimeException e) {
            throw new IOException("cannot locate the class path of " + FaultPeer.class.getName(), e);
        }
    }

    /** The peer's address, inside the namespace. */
    public String peerHost() {
        return peerAddress;
    }

    public int peerPort() {
        return peerPort;
    }

    public InetSocketAddress peerSocketAddress() {
        return new InetSocketAddress(peerAddress, peerPort);
    }

    /** This host's end of the link. */
    public String hostAddress() {
        return hostAddress;
    }

    /** The network namespace's name; the veth ends are this name plus {@code h} (here) and {@code p} (there). */
    public String namespace() {
        return namespace;
    }

    /** Drops every packet to and from the peer, from now on. Idempotent. */
    public synchronized void blackhole() throws IOException {
        if (blackholed) {
            return;
        }
        // Both hooks, both directions: the peer neither receives nor answers, so this host sees silence.
        String rules = "table inet " + TABLE + " {\n"
                + "  chain in { type filter hook input priority -400; policy drop; }\n"
                + "  chain out { type filter hook output priority -400; policy drop; }\n"
                + "}\n";
        Commands.run(rules, List.of(ip, "netns", "exec", namespace, nft, "-f", "-"));
        blackholed = true;
    }

    /** Removes the blackhole. Idempotent. */
    public synchronized void heal() throws IOException {
        if (!blackholed) {
            return;
        }
        Commands.run(ip, "netns", "exec", namespace, nft, "delete", "table", "inet", TABLE);
        blackholed = false;
    }

    public synchronized boolean isBlackholed() {
        return blackholed;
    }

    /** The peer resets every open connection (SO_LINGER 0, so a RST instead of a FIN). */
    public int resetConnections() throws IOException {
        return Integer.parseInt(command("RESET").substring("OK RESET ".length()));
    }

    /** The peer closes every open connection in an orderly way (FIN). */
    public int closeConnections() throws IOException {
        return Integer.parseInt(command("CLOSE").substring("OK CLOSE ".length()));
    }

    /**
     * The peer behaves as a server process that dies and comes back: it stops listening, resets every
     * connection, and listens again on the same port.
     *
     * @return the number of connections reset
     */
    public int restartPeer() throws IOException {
        return Integer.parseInt(command("RESTART").substring("OK RESTART ".length()));
    }

    /** The peer stops reading; its receive window closes as soon as its small buffer is full. */
    public void stallReading() throws IOException {
        command("STALL");
    }

    public void resumeReading() throws IOException {
        command("RESUME");
    }

    /**
     * The peer writes {@code line} and a newline to every open connection.
     *
     * @return the number of connections written to
     */
    public int sendLine(String line) throws IOException {
        if (line.indexOf('\n') >= 0) {
            throw new IllegalArgumentException("line: contains a newline (expected: one line)");
        }
        return Integer.parseInt(command("SEND " + line).substring("OK SEND ".length()));
    }

    /** What the peer has seen so far. */
    public PeerStats stats() throws IOException {
        return PeerStats.parse(command("STATS"));
    }

    /**
     * The numbers of the complete numbered lines ({@code 123:anything}) the peer has received, over every
     * connection. A line cut short by the end of its connection is not counted.
     */
    public BitSet receivedNumbers() throws IOException {
        String reply = command("NUMBERS").substring("NUMBERS ".length());
        BitSet numbers = new BitSet();
        if (reply.equals("-")) {
            return numbers;
        }
        for (String range : reply.split(",")) {
            int dash = range.indexOf('-');
            int from = Integer.parseInt(dash < 0 ? range : range.substring(0, dash));
            int to = dash < 0 ? from : Integer.parseInt(range.substring(dash + 1));
            numbers.set(from, to + 1);
        }
        return numbers;
    }

    private synchronized String command(String command) throws IOException {
        if (closed) {
            throw new IOException("fault lab " + namespace + " is closed");
        }
        peerIn.println(command);
        String reply = awaitReply(COMMAND_TIMEOUT_SECONDS);
        if (reply == null) {
            throw new IOException("the peer in " + namespace + " did not answer " + command + " within "
                    + COMMAND_TIMEOUT_SECONDS + "s");
        }
        if (reply.startsWith("ERR")) {
            throw new IOException("the peer in " + namespace + " failed " + command + ": " + reply);
        }
        return reply;
    }

    private String awaitReply(long seconds) throws IOException {
        try {
            return peerReplies.poll(seconds, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the peer in " + namespace, e);
        }
    }

    /** Stops the peer and removes the veth pair and the namespace, with any rules in it. Idempotent. */
    @Override
    public void close() {
        closeQuietly();
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException alreadyShuttingDown) {
            // The hook is running or about to; it finds the lab closed.
        }
    }

    private synchronized void closeQuietly() {
        if (closed) {
            return;
        }
        closed = true;
        if (peer != null) {
            peerIn.println("QUIT");
            peerIn.close();
            try {
                if (!peer.waitFor(5, TimeUnit.SECONDS)) {
                    peer.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                peer.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
        // Deleting one end of a veth pair deletes both; the namespace takes its nftables rules with it.
        removeQuietly(ip, "link", "del", hostInterface);
        removeQuietly(ip, "netns", "del", namespace);
    }

    /** Removes namespaces and links left by labs whose JVM is gone, for example after a kill -9. */
    static void sweepLeftovers(String ip) {
        try {
            for (String line : Commands.run(ip, "netns", "list").split("\n")) {
                String name = line.trim().split("\\s+")[0];
                if (isOrphan(name, "")) {
                    System.err.println("fault lab: removing namespace " + name + " left by an earlier run");
                    removeQuietly(ip, "netns", "del", name);
                }
            }
            for (String line : Commands.run(ip, "-o", "link", "show").split("\n")) {
                String[] fields = line.split(":\\s+");
                if (fields.length < 2) {
                    continue;
                }
                String name = fields[1].split("@")[0];
                if (isOrphan(name, "h")) {
                    System.err.println("fault lab: removing link " + name + " left by an earlier run");
                    removeQuietly(ip, "link", "del", name);
                }
            }
        } catch (IOException e) {
            System.err.println("fault lab: could not look for leftovers of earlier runs: " + e.getMessage());
        }
    }

    private static boolean isOrphan(String name, String suffix) {
        Matcher m = NAME.matcher(name);
        if (!m.matches() || !m.group(3).equals(suffix)) {
            return false;
        }
        long pid = Long.parseLong(m.group(1));
        return ProcessHandle.of(pid).map(p -> !p.isAlive()).orElse(true);
    }

    private static String freeNamespace(String ip, long pid) throws IOException {
        String existing = Commands.run(ip, "netns", "list");
        for (int i = 0; i < 1000; i++) {
            // Interface names are limited to 15 characters: "rcl" + a PID of up to 7 digits + "n" + k + "h".
            String name = PREFIX + pid + "n" + (COUNTER.getAndIncrement() % 1000);
            if (!Pattern.compile("(?m)^" + name + "\\b").matcher(existing).find()) {
                return name;
            }
        }
        throw new IOException("no free namespace name for PID " + pid);
    }

    /** A /30 in 198.18.0.0/15 that overlaps no address or route already on this host. Call under the lock. */
    private static int freeBlock(String ip, long pid) throws IOException {
        List<int[]> taken = new ArrayList<>();
        Pattern prefix = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");
        for (String line : Commands.run(ip, "-4", "-o", "addr", "show").split("\n")) {
            Matcher m = Pattern.compile("\\sinet\\s+(\\S+)").matcher(line);
            if (m.find()) {
                addPrefix(taken, prefix.matcher(m.group(1)));
            }
        }
        for (String line : Commands.run(ip, "-4", "route", "show", "table", "all").split("\n")) {
            String[] fields = line.trim().split("\\s+");
            int at = fields.length > 1 && !Character.isDigit(fields[0].charAt(0)) ? 1 : 0;
            if (fields.length > at) {
                addPrefix(taken, prefix.matcher(fields[at]));
            }
        }
        int start = (int) ((pid * 64 + COUNTER.get()) % BLOCKS);
        for (int i = 0; i < BLOCKS; i++) {
            int block = (start + i) % BLOCKS;
            int network = RANGE_BASE + block * 4;
            boolean free = true;
            for (int[] t : taken) {
                int bits = Math.min(30, t[1]);
                int mask = bits == 0 ? 0 : -1 << (32 - bits);
                if ((network & mask) == (t[0] & mask)) {
                    free = false;
                    break;
                }
            }
            if (free) {
                return block;
            }
        }
        throw new IOException("no free /30 in 198.18.0.0/15 on this host");
    }

    private static void addPrefix(List<int[]> taken, Matcher m) {
        if (!m.matches()) {
            return;
        }
        String[] octets = m.group(1).split("\\.");
        int address = 0;
        for (String o : octets) {
            address = (address << 8) | Integer.parseInt(o);
        }
        int bits = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
        // A default route (0.0.0.0/0) leads elsewhere; it does not claim the benchmarking range.
        if (bits > 0) {
            taken.add(new int[] {address, bits});
        }
    }

    private static Path lockPath() throws IOException {
        Path dir = Path.of("/run/lock");
        if (!Files.isDirectory(dir) || !Files.isWritable(dir)) {
            dir = Path.of(System.getProperty("java.io.tmpdir"));
        }
        return dir.resolve("resilient-connector-fault-lab.lock");
    }

    private static String address(int a) {
        return ((a >>> 24) & 0xff) + "." + ((a >>> 16) & 0xff) + "." + ((a >>> 8) & 0xff) + "." + (a & 0xff);
    }

    private static void removeQuietly(String... command) {
        try {
            Commands.run(command);
        } catch (IOException ignored) {
            // Already gone, which is what we wanted.
        }
    }

    @Override
    public String toString() {
        return "FaultLab{namespace=" + namespace + ", peer=" + peerAddress + ":" + peerPort + ", host=" + hostAddress
                + (blackholed ? ", blackholed" : "") + (closed ? ", closed" : "") + '}';
    }

    /**
     * What the peer has seen: connections accepted and open, complete lines and bytes received, numbers
     * received twice, and numbers that arrived after a higher one.
     */
    public record PeerStats(int accepted, int open, long lines, long bytes, long duplicates, long outOfOrder) {
        static PeerStats parse(String line) {
            java.util.Map<String, String> values = new java.util.HashMap<>();
            for (String field : line.substring("STATS ".length()).split(" ")) {
                int eq = field.indexOf('=');
                values.put(field.substring(0, eq), field.substring(eq + 1));
            }
            return new PeerStats(Integer.parseInt(values.get("accepted")), Integer.parseInt(values.get("open")),
                    Long.parseLong(values.get("lines")), Long.parseLong(values.get("bytes")),
                    Long.parseLong(values.get("duplicates")), Long.parseLong(values.get("outOfOrder")));
        }
    }
}
