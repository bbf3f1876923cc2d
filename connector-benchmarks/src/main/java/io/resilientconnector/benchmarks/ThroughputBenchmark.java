package io.resilientconnector.benchmarks;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.util.ReferenceCountUtil;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.net.InetSocketAddress;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Bytes per second received on loopback through the connector's full default pipeline, against a plain Netty
 * {@link Bootstrap} with the same consuming handler. A plain Netty server on its own event loop streams as fast
 * as the socket takes it; the client reads into buffers of exactly the message size, so every message travels
 * the pipeline on its own. That is the connector's worst case: its handlers cost something per read, never per
 * byte, so small messages show their overhead and large ones hide it.
 *
 * <p>One operation is the arrival of {@link #CHUNK} bytes, so bytes per second = operations per second ×
 * {@link #CHUNK}. The measuring thread parks while it waits, leaving both cores to the two event loops.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ThroughputBenchmark {

    /** Bytes received per operation. */
    public static final int CHUNK = 1 << 20;

    /** How much the server hands the socket per write: far more than one read, so the server never waits. */
    private static final int SERVER_WRITE = 256 * 1024;

    static {
        Bench.logToFile("throughput");
    }

    @Param({"EPOLL", "NIO"})
    public String transport;

    @Param({"64", "16384"})
    public int messageSize;

    /** {@code connector}: the connector's default pipeline; {@code plain}: a bare Bootstrap. */
    @Param({"connector", "plain"})
    public String pipeline;

    private EventLoopGroup serverGroup;
    private EventLoopGroup clientGroup;
    private Channel serverChannel;
    private ResilientConnector connector;
    private Channel plainChannel;
    private Counter counter;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        TransportType type = TransportType.valueOf(transport);
        serverGroup = Loopback.group(type, 1, "bench-server");
        clientGroup = Loopback.group(type, 1, "bench-client");
        serverChannel = Loopback.server(type, serverGroup, new Streamer())
                .bind(Loopback.HOST, 0).sync().channel();
        int port = ((InetSocketAddress) serverChannel.localAddress()).getPort();

        counter = new Counter();
        ChannelInitializer<Channel> consuming = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.config().setRecvByteBufAllocator(new FixedRecvByteBufAllocator(messageSize));
                ch.pipeline().addLast(counter);
            }
        };
        switch (pipeline) {
            case "connector": {
                CountDownLatch connected = new CountDownLatch(1);
                connector = ResilientConnector.builder(ConnectorOptions.builder()
                                .endpoint(Loopback.HOST, port).transport(type).build())
                        .handler(consuming)
                        .resources(ConnectorResources.builder().eventLoopGroup(clientGroup).build())
                        .listener(new ConnectorListener() {
                            @Override
                            public void connected(Channel channel) {
                                connected.countDown();
                            }
                        })
                        .build().start();
                if (!connected.await(10, TimeUnit.SECONDS)) {
                    throw new IllegalStateException("connector did not connect to " + Loopback.HOST + ":" + port);
                }
                break;
            }
            case "plain":
                plainChannel = new Bootstrap().group(clientGroup).channelFactory(Transport.resolve(type).channelFactory())
                        .handler(consuming).connect(Loopback.HOST, port).sync().channel();
                break;
            default:
                throw new IllegalArgumentException("pipeline: " + pipeline + " (expected: connector or plain)");
        }
    }

    @Benchmark
    public long receive() {
        return counter.awaitMore(CHUNK);
    }

    @TearDown(Level.Trial)
    public void tearDown() throws InterruptedException {
        if (connector != null) {
            connector.close();
        }
        if (plainChannel != null) {
            plainChannel.close().await(5, TimeUnit.SECONDS);
        }
        if (serverChannel != null) {
            serverChannel.close().await(5, TimeUnit.SECONDS);
        }
        clientGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        serverGroup.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }

    /** The consuming handler: counts and releases what it reads, and wakes the measuring thread. */
    @ChannelHandler.Sharable
    static final class Counter extends ChannelInboundHandlerAdapter {
        // Written by the event loop only.
        private volatile long received;
        private volatile long target = Long.MAX_VALUE;
        private volatile Thread waiter;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            long now = received + ((ByteBuf) msg).readableBytes();
            ReferenceCountUtil.release(msg);
            received = now;
            if (now >= target) {
                LockSupport.unpark(waiter);
            }
        }

        /** Waits until {@code bytes} more have arrived; returns the total, which JMH consumes. */
        long awaitMore(long bytes) {
            waiter = Thread.currentThread();
            long until = received + bytes;
            target = until;
            long now;
            while ((now = received) < until) {
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
            target = Long.MAX_VALUE;
            return now;
        }
    }

    /** Writes to every accepted connection as fast as the socket drains, without copying. */
    @ChannelHandler.Sharable
    static final class Streamer extends ChannelInboundHandlerAdapter {
        private final ByteBuf payload = Unpooled.unreleasableBuffer(
                Unpooled.directBuffer(SERVER_WRITE).writeZero(SERVER_WRITE));

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            fill(ctx);
            ctx.fireChannelActive();
        }

        @Override
        public void channelWritabilityChanged(ChannelHandlerContext ctx) {
            fill(ctx);
            ctx.fireChannelWritabilityChanged();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }

        private void fill(ChannelHandlerContext ctx) {
            Channel ch = ctx.channel();
            if (!ch.isActive()) {
                return;
            }
            while (ch.isWritable()) {
                ctx.write(payload.duplicate());
            }
            ctx.flush();
            if (ch.isWritable()) {
                // Everything went to the socket at once, so no writability event will come: go round again.
                ctx.executor().execute(() -> fill(ctx));
            }
        }
    }
}
