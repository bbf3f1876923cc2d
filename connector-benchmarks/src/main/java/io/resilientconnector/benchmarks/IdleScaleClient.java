package io.resilientconnector.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.FastThreadLocalThread;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ConnectorState;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The measured process of {@link IdleScaleBenchmark} and {@link ThreadsBenchmark}: opens idle connections to a
 * {@link HoldServer} in one of four shapes ({@code --impl}):
 *
 * <ul>
 *   <li>{@code connector}: one connector each, all given one {@link ConnectorResources} by hand, on a group of
 *       {@code --group-threads};</li>
 *   <li>{@code obvious}: one connector each, made as a new user would,
 *       {@code ResilientConnector.builder(options).handler(h).build().start()}, each from its own options, so
 *       they share the process-wide default resources;</li>
 *   <li>{@code plain}: bare Netty channels from one {@link Bootstrap}, with a trivial handler;</li>
 *   <li>{@code uptime}: the shape of Netty's UptimeClient example, one {@link Bootstrap} whose initializer gives
 *       each channel an {@link IdleStateHandler} (5 s read idle, as the connector's default) and a small shared
 *       handler that counts the idle events.</li>
 * </ul>
 *
 * {@code plain} and {@code uptime} run on a group of {@code --group-threads}, or Netty's default size when it is 0.
 * After each step it prints {@code POINT connections heapAfterGcBytes threads nettyThreads}, where
 * {@code nettyThreads} counts the live event-loop threads: those made by Netty's thread factory, less its global
 * executor's; at {@code --cpu-at} connections (0: never) it waits {@code --cpu-delay-ms}, then also prints
 * {@code CPU connections cpuNanos windowNanos}. With {@code --histograms DIR} it writes a class histogram of the
 * heap (as {@code jcmd <pid> GC.class_histogram}) at each step to {@code DIR/<impl>-<connections>.txt}. Then
 * {@code DONE}, and it exits, which closes every socket.
 */
public final class IdleScaleClient {

    static final List<String> IMPLS = List.of("connector", "obvious", "plain", "uptime");

    private IdleScaleClient() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("idle-scale-client");
        Args a = new Args(args);
        TransportType type = Args.constant(TransportType.class, "transport", a.string("transport", "NIO"));
        String impl = a.choice("impl", "connector", IMPLS.toArray(new String[0]));
        List<Integer> ports = a.integers("ports", "", 1, 65_535);
        List<Integer> counts = a.integers("counts", "5000,10000", 1);
        int cpuAt = a.integer("cpu-at", 10_000, 0);
        long windowMs = a.integer("cpu-window-ms", 20_000, 1);
        int threads = a.integer("group-threads", 2, 0);
        int batch = a.integer("batch", 500, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        int cpuDelayMs = a.integer("cpu-delay-ms", 2 * settleMs, 0);
        String histograms = a.string("histograms", "");
        a.checkAllUsed();
        Bench.requireOpenFiles(counts.get(counts.size() - 1), "the idle-scale client");

        Transport transport = Transport.resolve(type);
        Opener opener;
        switch (impl) {
            case "plain":
                opener = new PlainOpener(transport, group(type, threads), Loopback.Discard.INSTANCE);
                break;
            case "uptime":
                opener = new PlainOpener(transport, group(type, threads), new UptimeInitializer());
                break;
            case "obvious":
                opener = new ConnectorOpener(type, null);
                break;
            default:
                opener = new ConnectorOpener(type, ConnectorResources.builder()
                        .eventLoopGroup(group(type, threads == 0 ? 2 : threads)).build());
        }

        // Load every class and fill every static cache first, so the step from zero counts connections only.
        opener.open(ports, 0, Math.min(100, counts.get(0)), batch);
        opener.closeAll();
        // The obvious way's default resources outlive their last connector by a second: let them go, so the
        // step from zero counts them as the first connector's, as in a program that starts from none.
        Thread.sleep(settleMs + ("obvious".equals(impl) ? 1500 : 0));
        report(0, impl, histograms);

        int open = 0;
        for (int count : counts) {
            opener.open(ports, open, count - open, batch);
            open = count;
            Thread.sleep(settleMs);
            report(count, impl, histograms);
            if (count == cpuAt) {
                // Let the collections above and the connect burst settle before the window opens, and the JIT
                // compile the timer's path, which first runs a read timeout after each connect.
                Thread.sleep(cpuDelayMs);
                long cpuBefore = Bench.processCpuNanos();
                long start = System.nanoTime();
                Thread.sleep(windowMs);
                long cpu = Bench.processCpuNanos() - cpuBefore;
                long window = System.nanoTime() - start;
                System.out.println("CPU " + count + " " + cpu + " " + window);
            }
        }
        System.out.println("DONE");
        System.out.flush();
        Runtime.getRuntime().halt(0);
    }

    private static EventLoopGroup group(TransportType type, int threads) {
        return threads > 0 ? Loopback.group(type, threads, "scale-client")
                : new MultiThreadIoEventLoopGroup(Transport.resolve(type).ioHandlerFactory());
    }

    private static void report(int connections, String impl, String histograms) throws Exception {
        long heap = Bench.heapAfterGc();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        long netty = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t instanceof FastThreadLocalThread && t.isAlive() && !t.getName().startsWith("globalEventExecutor"))
                .count();
        if (!histograms.isEmpty()) {
            Files.writeString(Path.of(histograms, impl + "-" + connections + ".txt"), classHistogram(),
                    StandardCharsets.UTF_8);
        }
        System.out.println("POINT " + connections + " " + heap + " " + threads + " " + netty);
        System.out.flush();
    }

    /** What {@code jcmd <pid> GC.class_histogram} prints for this process; it collects first. */
    static String classHistogram() throws Exception {
        return (String) ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"), "gcClassHistogram",
                new Object[] {new String[0]}, new String[] {String[].class.getName()});
    }

    private interface Opener {
        /** Opens {@code n} more connections, spread over {@code ports}, {@code batch} at a time. */
        void open(List<Integer> ports, int first, int n, int batch) throws InterruptedException;

        void closeAll() throws InterruptedException;
    }

    private static final class PlainOpener implements Opener {
        private final Bootstrap bootstrap;
        private final List<Channel> channels = new ArrayList<>();

        PlainOpener(Transport transport, EventLoopGroup group, ChannelHandler handler) {
            bootstrap = new Bootstrap().group(group).channelFactory(transport.channelFactory()).handler(handler);
        }

        @Override
        public void open(List<Integer> ports, int first, int n, int batch) throws InterruptedException {
            for (int done = 0; done < n; done += batch) {
                int size = Math.min(batch, n - done);
                List<ChannelFuture> futures = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    futures.add(bootstrap.connect(Loopback.HOST, ports.get((first + done + i) % ports.size())));
                }
                for (ChannelFuture future : futures) {
                    if (!future.await(30, TimeUnit.SECONDS) || !future.isSuccess()) {
                        throw new IllegalStateException("plain connect failed", future.cause());
                    }
                    channels.add(future.channel());
                }
            }
        }

        @Override
        public void closeAll() throws InterruptedException {
            for (Channel channel : channels) {
                channel.close().await(5, TimeUnit.SECONDS);
            }
            channels.clear();
        }
    }

    /** Netty's UptimeClient pipeline: a read-idle {@link IdleStateHandler} per channel, then a shared handler. */
    private static final class UptimeInitializer extends ChannelInitializer<Channel> {
        private final UptimeHandler handler = new UptimeHandler();

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new IdleStateHandler(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD.toSeconds(), 0, 0,
                    TimeUnit.SECONDS), handler);
        }
    }

    /** UptimeClientHandler's shape; it counts read-idle events where the example would reconnect. */
    @ChannelHandler.Sharable
    private static final class UptimeHandler extends ChannelInboundHandlerAdapter {
        private final LongAdder idle = new LongAdder();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                idle.increment();
            } else {
                ctx.fireUserEventTriggered(evt);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
        }
    }

    private static final class ConnectorOpener implements Opener {
        private final TransportType type;
        private final ConnectorResources resources;
        private final List<ResilientConnector> connectors = new ArrayList<>();

        /** {@code resources} null: the obvious way, nothing shared by hand. */
        ConnectorOpener(TransportType type, ConnectorResources resources) {
            this.type = type;
            this.resources = resources;
        }

        @Override
        public void open(List<Integer> ports, int first, int n, int batch) throws InterruptedException {
            for (int done = 0; done < n; done += batch) {
                int size = Math.min(batch, n - done);
                List<ResilientConnector> started = new ArrayList<>(size);
                for (int i = 0; i < size; i++) {
                    int index = first + done + i;
                    // Each connector from its own options, as a loop over a device list would make them.
                    ConnectorOptions options = ConnectorOptions.builder()
                            .endpoint(Loopback.HOST, ports.get(index % ports.size())).transport(type).build();
                    ResilientConnector.Builder builder = ResilientConnector.builder(options)
                            .handler(Loopback.Discard.INSTANCE);
                    if (resources != null) {
                        builder.resources(resources);
                    }
                    started.add(builder.build().start());
                }
                awaitConnected(started, size);
                connectors.addAll(started);
            }
        }

        /** Polls the state, so that measuring adds no listener to any connector. */
        private static void awaitConnected(List<ResilientConnector> started, int size) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            int from = 0;
            while (from < started.size()) {
                if (started.get(from).state() == ConnectorState.CONNECTED) {
                    from++;
                } else if (System.nanoTime() > deadline) {
                    throw new IllegalStateException((started.size() - from) + " of " + size + " connectors did not connect");
                } else {
                    Thread.sleep(5);
                }
            }
        }

        @Override
        public void closeAll() {
            for (ResilientConnector connector : connectors) {
                connector.closeAsync();
            }
            for (ResilientConnector connector : connectors) {
                connector.close();
            }
            connectors.clear();
        }
    }
}
