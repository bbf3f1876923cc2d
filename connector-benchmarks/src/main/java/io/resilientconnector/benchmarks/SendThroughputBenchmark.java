package io.resilientconnector.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ConnectorState;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Item 6: small messages sent from one application thread, which is not an event loop. The connector side calls
 * {@code connector.send(buf)} in a loop; the plain side calls {@code channel.writeAndFlush(buf)} per message, as
 * a plain Netty program would. Both go to a plain Netty server on loopback that discards what it reads, each
 * side on an event loop of its own, and each message is a new {@link ByteBuf} over the same bytes.
 *
 * <p>The sender keeps at most {@code --window} messages in flight: after each window it waits for the last
 * message's future, which completes once that message, and so every earlier one, is on the socket. The window is
 * below the connector's default pending-send limit (1,024 messages), so no send is rejected, and it bounds plain
 * Netty's task queue, which would otherwise grow without limit. Messages per second are counted over a timed
 * window after a warm-up; the two sides take turns at going first, round by round.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.SendThroughputBenchmark \
 *     [--transports epoll,nio] [--size 64] [--window 1000] [--rounds 5] [--warmup-ms 2000] [--measure-ms 3000]
 * </pre>
 */
public final class SendThroughputBenchmark {

    /** The goal: the connector sends at least as many messages a second as plain Netty. */
    static final double GOAL_RATIO = 1.0;

    private SendThroughputBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("send-throughput");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        int size = a.integer("size", 64, 1, 1 << 20);
        int window = a.integer("window", 1000, 1, ConnectorOptions.DEFAULT_MAX_PENDING_MESSAGES);
        int rounds = a.integer("rounds", 5, 1);
        int warmupMs = a.integer("warmup-ms", 2000, 0);
        int measureMs = a.integer("measure-ms", 3000, 1);
        a.checkAllUsed();
        System.out.println("# send throughput: " + Bench.machine());
        System.out.println("# size=" + size + " B window=" + window + " rounds=" + rounds + " warmup=" + warmupMs
                + "ms measure=" + measureMs + "ms; log: " + Bench.logFile());

        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int round = 1; round <= rounds; round++) {
            for (TransportType transport : transports) {
                boolean connectorFirst = round % 2 == 1;
                double first = measure(transport, connectorFirst ? "connector" : "plain", size, window, warmupMs, measureMs);
                double second = measure(transport, connectorFirst ? "plain" : "connector", size, window, warmupMs, measureMs);
                double c = connectorFirst ? first : second;
                double p = connectorFirst ? second : first;
                results.computeIfAbsent(transport.name(), k -> new ArrayList<>()).add(new double[] {c, p});
                System.out.printf(Locale.ROOT, "ROUND %d %s %d B: connector %.0f msg/s, plain %.0f msg/s, ratio %.2f%n",
                        round, transport, size, c, p, c / p);
            }
        }

        System.out.println();
        System.out.println("| transport | message | connector.send, msg/s | plain writeAndFlush, msg/s | ratio (median) | ratio range | goal >= "
                + GOAL_RATIO + " |");
        System.out.println("|---|---|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            List<double[]> r = e.getValue();
            double[] ratios = r.stream().mapToDouble(x -> x[0] / x[1]).toArray();
            double ratio = Bench.median(ratios);
            System.out.printf(Locale.ROOT, "| %s | %d B | %.0f | %.0f | %.2f | %s | %s |%n",
                    e.getKey().toLowerCase(Locale.ROOT), size, Bench.median(r, x -> x[0]), Bench.median(r, x -> x[1]),
                    ratio, Bench.range(ratios, 2), ratio >= GOAL_RATIO ? "met" : "missed");
        }
    }

    /** Messages per second sent by {@code side} from this thread. */
    private static double measure(TransportType type, String side, int size, int window, int warmupMs, int measureMs)
            throws Exception {
        EventLoopGroup serverGroup = Loopback.group(type, 1, "send-server");
        EventLoopGroup clientGroup = Loopback.group(type, 1, "send-client");
        ByteBuf payload = Unpooled.unreleasableBuffer(Unpooled.directBuffer(size).writeZero(size));
        ResilientConnector connector = null;
        Channel channel = null;
        try {
            Channel server = Loopback.server(type, serverGroup, Loopback.Discard.INSTANCE).bind(Loopback.HOST, 0).sync().channel();
            int port = ((InetSocketAddress) server.localAddress()).getPort();
            Sender sender;
            if ("connector".equals(side)) {
                ResilientConnector c = ResilientConnector.builder(ConnectorOptions.builder()
                                .endpoint(Loopback.HOST, port).transport(type).build())
                        .handler(Loopback.Discard.INSTANCE)
                        .resources(ConnectorResources.builder().eventLoopGroup(clientGroup).build())
                        .build().start();
                connector = c;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                while (c.state() != ConnectorState.CONNECTED) {
                    if (System.nanoTime() > deadline) {
                        throw new IllegalStateException("connector did not connect to " + Loopback.HOST + ":" + port);
                    }
                    Thread.sleep(1);
                }
                sender = n -> {
                    CompletableFuture<Void> last = null;
                    for (int i = 0; i < n; i++) {
                        last = c.send(payload.retainedDuplicate());
                    }
                    last.get(30, TimeUnit.SECONDS);
                };
            } else {
                Channel ch = new Bootstrap().group(clientGroup).channelFactory(Transport.resolve(type).channelFactory())
                        .handler(Loopback.Discard.INSTANCE).connect(Loopback.HOST, port).sync().channel();
                channel = ch;
                sender = n -> {
                    ChannelFuture last = null;
                    for (int i = 0; i < n; i++) {
                        last = ch.writeAndFlush(payload.retainedDuplicate());
                    }
                    if (!last.await(30, TimeUnit.SECONDS) || !last.isSuccess()) {
                        throw new IllegalStateException("plain write failed", last.cause());
                    }
                };
            }
            sendFor(sender, window, warmupMs);
            return sendFor(sender, window, measureMs);
        } finally {
            if (connector != null) {
                connector.close();
            }
            if (channel != null) {
                channel.close().await(5, TimeUnit.SECONDS);
            }
            Loopback.shutdown(clientGroup);
            Loopback.shutdown(serverGroup);
        }
    }

    /** Sends windows until {@code millis} have passed; returns the messages per second. */
    private static double sendFor(Sender sender, int window, int millis) throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.MILLISECONDS.toNanos(millis);
        long sent = 0;
        long now;
        do {
            sender.send(window);
            sent += window;
        } while ((now = System.nanoTime()) < end);
        return sent * 1e9 / (now - start);
    }

    private interface Sender {
        /** Sends {@code n} messages and waits until the last is on the socket. */
        void send(int n) throws Exception;
    }
}
