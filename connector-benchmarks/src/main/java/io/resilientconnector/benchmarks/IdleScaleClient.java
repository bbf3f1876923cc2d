package io.resilientconnector.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoopGroup;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The measured process of {@link IdleScaleBenchmark}: opens idle connections to a {@link HoldServer}, all on one
 * event loop group, either as one connector each or as plain Netty channels from one {@link Bootstrap}. After
 * each step it prints {@code POINT connections heapAfterGcBytes threads}; at {@code --cpu-at} connections it
 * also prints {@code CPU connections cpuNanos windowNanos}. Then {@code DONE}, and it exits, which closes every
 * socket.
 */
public final class IdleScaleClient {

    private IdleScaleClient() {
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("idle-scale-client");
        Args a = new Args(args);
        TransportType type = Args.constant(TransportType.class, "transport", a.string("transport", "NIO"));
        String impl = a.choice("impl", "connector", "connector", "plain");
        List<Integer> ports = a.integers("ports", "", 1, 65_535);
        List<Integer> counts = a.integers("counts", "5000,10000", 1);
        int cpuAt = a.integer("cpu-at", 10_000, 1);
        long windowMs = a.integer("cpu-window-ms", 20_000, 1);
        int threads = a.integer("group-threads", 2, 1);
        int batch = a.integer("batch", 500, 1);
        int settleMs = a.integer("settle-ms", 1000, 0);
        a.checkAllUsed();
        Bench.requireOpenFiles(counts.get(counts.size() - 1), "the idle-scale client");

        Transport transport = Transport.resolve(type);
        EventLoopGroup group = Loopback.group(type, threads, "scale-client");
        Opener opener = "plain".equals(impl) ? new PlainOpener(transport, group) : new ConnectorOpener(type, group);

        // Load every class and fill every static cache first, so the step from zero counts connections only.
        opener.open(ports, 0, Math.min(100, counts.get(0)), batch);
        opener.closeAll();
        Thread.sleep(settleMs);
        report(0);

        int open = 0;
        for (int count : counts) {
            opener.open(ports, open, count - open, batch);
            open = count;
            Thread.sleep(settleMs);
            report(count);
            if (count == cpuAt) {
                // Let the collections above and the connect burst settle before the window opens.
                Thread.sleep(2L * settleMs);
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

    private static void report(int connections) throws InterruptedException {
        long heap = Bench.heapAfterGc();
        int threads = ManagementFactory.getThreadMXBean().getThreadCount();
        System.out.println("POINT " + connections + " " + heap + " " + threads);
        System.out.flush();
    }

    private interface Opener {
        /** Opens {@code n} more connections, spread over {@code ports}, {@code batch} at a time. */
        void open(List<Integer> ports, int first, int n, int batch) throws InterruptedException;

        void closeAll() throws InterruptedException;
    }

    private static final class PlainOpener implements Opener {
        private final Bootstrap bootstrap;
        private final List<Channel> channels = new ArrayList<>();

        PlainOpener(Transport transport, EventLoopGroup group) {
            bootstrap = new Bootstrap().group(group).channelFactory(transport.channelFactory())
                    .handler(Loopback.Discard.INSTANCE);
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

    private static final class ConnectorOpener implements Opener {
        private final TransportType type;
        private final ConnectorResources resources;
        private final List<ResilientConnector> connectors = new ArrayList<>();
        private volatile CountDownLatch connected = new CountDownLatch(0);
        private final ConnectorListener listener = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                connected.countDown();
            }
        };

        ConnectorOpener(TransportType type, EventLoopGroup group) {
            this.type = type;
            this.resources = ConnectorResources.builder().eventLoopGroup(group).build();
        }

        @Override
        public void open(List<Integer> ports, int first, int n, int batch) throws InterruptedException {
            for (int done = 0; done < n; done += batch) {
                int size = Math.min(batch, n - done);
                connected = new CountDownLatch(size);
                for (int i = 0; i < size; i++) {
                    int index = first + done + i;
                    ConnectorOptions options = ConnectorOptions.builder()
                            .endpoint(Loopback.HOST, ports.get(index % ports.size())).transport(type).build();
                    connectors.add(ResilientConnector.builder(options).handler(Loopback.Discard.INSTANCE)
                            .resources(resources).random(new Random(index)).listener(listener).build().start());
                }
                if (!connected.await(60, TimeUnit.SECONDS)) {
                    throw new IllegalStateException(connected.getCount() + " of " + size + " connectors did not connect");
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
