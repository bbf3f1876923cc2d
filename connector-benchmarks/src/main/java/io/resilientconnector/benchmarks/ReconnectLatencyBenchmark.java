package io.resilientconnector.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Item 4: how late a reconnect lands. A server on loopback goes down (stops listening and closes the
 * connection) and comes back after a random pause; the connector retries with backoff and reconnects. For the
 * attempt that succeeds, this takes the time from when that attempt was due (the moment it was scheduled plus
 * its scheduled delay) to the connector's {@code connected} event: the backoff wait itself is subtracted, and
 * what is left is the connector's own latency, connect handshake included. The same server is also connected
 * by a plain Netty {@link Bootstrap}, timed from {@code connect()} to the channel becoming active, as the floor.
 *
 * <pre>
 * java -cp connector-benchmarks/target/benchmarks.jar io.resilientconnector.benchmarks.ReconnectLatencyBenchmark \
 *     [--transports epoll,nio] [--reconnects 200] [--runs 3] [--initial-ms 10] [--max-ms 100]
 * </pre>
 */
public final class ReconnectLatencyBenchmark {

    static final double GOAL_MILLIS = 50;

    private ReconnectLatencyBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("reconnect-latency");
        Args a = new Args(args);
        List<TransportType> transports = Bench.transports(a.string("transports", "epoll,nio"));
        int reconnects = a.integer("reconnects", 200, 1);
        int runs = a.integer("runs", 3, 1);
        Duration initial = a.millis("initial-ms", Duration.ofMillis(10));
        Duration max = a.millis("max-ms", Duration.ofMillis(100));
        a.checkAllUsed();

        System.out.println("# reconnect latency: " + Bench.machine());
        System.out.println("# reconnects=" + reconnects + " runs=" + runs + " backoff initial=" + initial.toMillis()
                + "ms max=" + max.toMillis() + "ms jitter=NONE; log: " + Bench.logFile());
        Map<String, List<double[]>> results = new LinkedHashMap<>();
        for (int run = 1; run <= runs; run++) {
            for (TransportType transport : transports) {
                double[] connector = connectorLatencies(transport, reconnects, initial, max, new Random(run));
                double[] plain = plainConnectTimes(transport, reconnects);
                results.computeIfAbsent(transport + " connector", k -> new ArrayList<>()).add(connector);
                results.computeIfAbsent(transport + " plain", k -> new ArrayList<>()).add(plain);
                System.out.printf(Locale.ROOT, "RUN %d %s: connector late by median %.3f ms, p99 %.3f ms; "
                                + "plain Netty connect median %.3f ms, p99 %.3f ms%n", run, transport,
                        Bench.median(connector), Bench.quantile(connector, 0.99), Bench.median(plain),
                        Bench.quantile(plain, 0.99));
            }
        }
        System.out.println();
        System.out.println("| transport | measured | median (ms) | p99 (ms) | max (ms) | goal: median < " + (int) GOAL_MILLIS + " ms |");
        System.out.println("|---|---|---|---|---|---|");
        for (Map.Entry<String, List<double[]>> e : results.entrySet()) {
            String[] key = e.getKey().split(" ");
            List<double[]> perRun = e.getValue();
            double median = Bench.median(perRun, v -> Bench.median(v));
            double p99 = Bench.median(perRun, v -> Bench.quantile(v, 0.99));
            double most = perRun.stream().mapToDouble(v -> Bench.quantile(v, 1.0)).max().orElse(Double.NaN);
            boolean connector = "connector".equals(key[1]);
            System.out.printf(Locale.ROOT, "| %s | %s | %.3f | %.3f | %.3f | %s |%n", key[0].toLowerCase(Locale.ROOT),
                    connector ? "connector: due to CONNECTED" : "plain Netty: connect() to active",
                    median, p99, most, connector ? (median < GOAL_MILLIS && p99 < GOAL_MILLIS ? "met" : "missed") : "-");
        }
    }

    /** Milliseconds from each successful reconnect attempt's due time to {@code connected}. */
    private static double[] connectorLatencies(TransportType transport, int reconnects, Duration initial, Duration max,
                                               Random pauses) throws Exception {
        EventLoopGroup serverGroup = Loopback.group(transport, 1, "latency-server");
        EventLoopGroup clientGroup = Loopback.group(transport, 1, "latency-client");
        Server server = new Server(transport, serverGroup);
        BlockingQueue<long[]> connected = new LinkedBlockingQueue<>();
        long[] lastScheduled = new long[2];
        ConnectorListener listener = new ConnectorListener() {
            @Override
            public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
                synchronized (lastScheduled) {
                    lastScheduled[0] = System.nanoTime();
                    lastScheduled[1] = delay.toNanos();
                }
            }

            @Override
            public void connected(Channel channel) {
                long now = System.nanoTime();
                synchronized (lastScheduled) {
                    connected.add(new long[] {now, lastScheduled[0], lastScheduled[1]});
                }
            }
        };
        ConnectorOptions options = ConnectorOptions.builder().endpoint(Loopback.HOST, server.port).transport(transport)
                .reconnect(ReconnectPolicy.builder().stablePeriod(Duration.ZERO)
                        .initialDelay(initial).maxDelay(max).jitter(Jitter.NONE).build())
                .build();
        double[] late = new double[reconnects];
        ResilientConnector connector = ResilientConnector.builder(options).handler(Loopback.Discard.INSTANCE)
                .resources(ConnectorResources.builder().eventLoopGroup(clientGroup).build()).listener(listener).build().start();
        try {
            take(connected);
            for (int i = 0; i < reconnects; i++) {
                server.down();
                Thread.sleep(pauses.nextInt((int) max.toMillis() + 1));
                server.up();
                long[] event = take(connected);
                late[i] = (event[0] - (event[1] + event[2])) / 1e6;
            }
        } finally {
            connector.close();
            server.down();
            Loopback.shutdown(clientGroup);
            Loopback.shutdown(serverGroup);
        }
        return late;
    }

    /** Milliseconds from a plain {@code connect()} to the channel being active, on a server that is up. */
    private static double[] plainConnectTimes(TransportType transport, int connects) throws Exception {
        EventLoopGroup serverGroup = Loopback.group(transport, 1, "latency-server");
        EventLoopGroup clientGroup = Loopback.group(transport, 1, "latency-client");
        Server server = new Server(transport, serverGroup);
        BlockingQueue<Long> active = new LinkedBlockingQueue<>();
        Bootstrap bootstrap = new Bootstrap().group(clientGroup).channelFactory(Transport.resolve(transport).channelFactory())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                            @Override
                            public void channelActive(ChannelHandlerContext ctx) {
                                active.add(System.nanoTime());
                                ctx.fireChannelActive();
                            }
                        }, Loopback.Discard.INSTANCE);
                    }
                });
        double[] times = new double[connects];
        try {
            for (int i = 0; i < connects; i++) {
                long start = System.nanoTime();
                ChannelFuture future = bootstrap.connect(Loopback.HOST, server.port);
                Long at = active.poll(10, TimeUnit.SECONDS);
                if (at == null || !future.await(10, TimeUnit.SECONDS) || !future.isSuccess()) {
                    throw new IllegalStateException("plain connect failed", future.cause());
                }
                times[i] = (at - start) / 1e6;
                future.channel().close().sync();
            }
        } finally {
            server.down();
            Loopback.shutdown(clientGroup);
            Loopback.shutdown(serverGroup);
        }
        return times;
    }

    private static long[] take(BlockingQueue<long[]> connected) throws InterruptedException {
        long[] event = connected.poll(30, TimeUnit.SECONDS);
        if (event == null) {
            throw new IllegalStateException("the connector did not reconnect within 30 s");
        }
        return event;
    }

    /** A server that can stop listening, dropping its connections, and listen again on the same port. */
    private static final class Server {
        private final ServerBootstrap bootstrap;
        private final ChannelGroup children = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
        private final int port;
        private Channel listener;

        Server(TransportType transport, EventLoopGroup group) throws InterruptedException {
            bootstrap = Loopback.server(transport, group, new ChannelInitializer<>() {
                @Override
                protected void initChannel(Channel ch) {
                    children.add(ch);
                    ch.pipeline().addLast(Loopback.Discard.INSTANCE);
                }
            });
            listener = bootstrap.bind(Loopback.HOST, 0).sync().channel();
            port = ((InetSocketAddress) listener.localAddress()).getPort();
        }

        void down() throws InterruptedException {
            if (listener != null) {
                listener.close().sync();
                listener = null;
            }
            children.close().sync();
        }

        void up() throws InterruptedException {
            listener = bootstrap.bind(Loopback.HOST, port).sync().channel();
        }
    }
}
