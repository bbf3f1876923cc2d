package io.resilientconnector.examples;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Objects;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The examples' stand-in for {@code nc -l}: a loopback server that exercises every event a client sees.
 * On each connection it sends a line every second, goes quiet after every third line for longer than the
 * client's read-idle period, echoes what it receives, and drops the connection after a random 10 to 20 seconds.
 * A client with the default options therefore sees CONNECTED, RECEIVED, READ_IDLE, DISCONNECTED and
 * RECONNECTING within its first 20 seconds.
 */
public final class DemoServer implements AutoCloseable {

    private static final Logger logger = LoggerFactory.getLogger(DemoServer.class);

    /** A line every second. */
    static final Duration LINE_INTERVAL = Duration.ofSeconds(1);
    /** Three lines, then a pause. */
    static final int LINES_PER_BURST = 3;
    /** Quiet for 7 seconds: longer than the default 5-second read-idle period. */
    static final Duration PAUSE = Duration.ofSeconds(7);
    /** Each connection is dropped after 10 to 20 seconds. */
    static final Duration DROP_MIN = Duration.ofSeconds(10);
    static final Duration DROP_MAX = Duration.ofSeconds(20);
    /** How much longer than the client's read-idle period a pause lasts, so READ_IDLE fires on a busy machine too. */
    static final Duration MARGIN = Duration.ofSeconds(2);

    /** When the server speaks, pauses and drops. Every connection follows it from its own start. */
    record Schedule(Duration lineInterval, int linesPerBurst, Duration pause, Duration dropMin, Duration dropMax) {

        Schedule {
            Objects.requireNonNull(lineInterval, "lineInterval");
            Objects.requireNonNull(pause, "pause");
            Objects.requireNonNull(dropMin, "dropMin");
            Objects.requireNonNull(dropMax, "dropMax");
            if (lineInterval.isNegative() || lineInterval.isZero() || pause.isNegative() || pause.isZero()
                    || linesPerBurst < 1 || dropMin.isNegative() || dropMin.isZero() || dropMax.compareTo(dropMin) < 0) {
                throw new IllegalArgumentException("schedule: " + lineInterval + " " + linesPerBurst + " " + pause + " "
                        + dropMin + ".." + dropMax + " (expected: positive durations, linesPerBurst >= 1, dropMin <= dropMax)");
            }
        }

        static Schedule defaults() {
            return new Schedule(LINE_INTERVAL, LINES_PER_BURST, PAUSE, DROP_MIN, DROP_MAX);
        }

        /** When the first pause starts: at the last line of the first burst. */
        Duration firstPauseStart() {
            return lineInterval.multipliedBy(linesPerBurst - 1L);
        }

        /** When a client with this read-idle period sees its first READ_IDLE, counted from the connect. */
        Duration firstReadIdle(Duration readIdlePeriod) {
            return firstPauseStart().plus(readIdlePeriod);
        }

        /**
         * This schedule, stretched where needed so that a client with {@code readIdlePeriod} sees READ_IDLE in every
         * pause and before the drop. A zero read-idle period (detection off) leaves it as it is.
         */
        Schedule fitting(Duration readIdlePeriod) {
            if (readIdlePeriod.isZero()) {
                return this;
            }
            Duration fittedPause = max(pause, readIdlePeriod.plus(MARGIN));
            Duration fittedDropMin = max(dropMin, firstReadIdle(readIdlePeriod).plus(MARGIN));
            return new Schedule(lineInterval, linesPerBurst, fittedPause, fittedDropMin,
                    fittedDropMin.plus(dropMax.minus(dropMin)));
        }

        private static Duration max(Duration a, Duration b) {
            return a.compareTo(b) >= 0 ? a : b;
        }
    }

    private final Schedule schedule;
    private final Random random;
    private final EventLoopGroup group;
    private final Channel serverChannel;
    private final AtomicInteger connections = new AtomicInteger();
    private final AtomicBoolean closed = new AtomicBoolean();

    private DemoServer(int port, Schedule schedule, Random random) throws IOException {
        this.schedule = Objects.requireNonNull(schedule, "schedule");
        this.random = Objects.requireNonNull(random, "random");
        this.group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("demo-server", true),
                NioIoHandler.newFactory());
        ChannelFuture bound = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(new LineBasedFrameDecoder(4096),
                                new StringDecoder(StandardCharsets.UTF_8), new StringEncoder(StandardCharsets.UTF_8),
                                new Connection());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port))
                .awaitUninterruptibly();
        if (!bound.isSuccess()) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw new IOException("cannot listen on " + InetAddress.getLoopbackAddress().getHostAddress() + ":" + port
                    + ": " + bound.cause().getMessage(), bound.cause());
        }
        this.serverChannel = bound.channel();
    }

    /** Starts a demo server with the default schedule on loopback; {@code port} 0 picks a free one. */
    public static DemoServer start(int port) throws IOException {
        return start(port, Schedule.defaults(), new Random());
    }

    static DemoServer start(int port, Schedule schedule, Random random) throws IOException {
        return new DemoServer(port, schedule, random);
    }

    public int port() {
        return ((InetSocketAddress) serverChannel.localAddress()).getPort();
    }

    /** The address to connect to, as {@code host:port}. */
    public String address() {
        return Text.address(serverChannel.localAddress());
    }

    /** Stops listening, drops every connection and stops the server's thread. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            serverChannel.close().awaitUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        }
    }

    /** One connection's script. Runs on the server's event loop. */
    private final class Connection extends SimpleChannelInboundHandler<String> {
        private int number;
        private int lines;
        private ScheduledFuture<?> next;
        private ScheduledFuture<?> drop;

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            number = connections.incrementAndGet();
            long spreadMillis = schedule.dropMax().minus(schedule.dropMin()).toMillis();
            Duration dropAfter = schedule.dropMin().plusMillis(
                    spreadMillis == 0 ? 0 : (long) (random.nextDouble() * (spreadMillis + 1)));
            logger.info("demo server: connection {} from port {}; dropping it after {}", number,
                    ((InetSocketAddress) ctx.channel().remoteAddress()).getPort(), Text.duration(dropAfter));
            drop = ctx.executor().schedule(() -> drop(ctx), dropAfter.toNanos(), TimeUnit.NANOSECONDS);
            burst(ctx, 1);
        }

        private void burst(ChannelHandlerContext ctx, int inBurst) {
            lines++;
            if (inBurst < schedule.linesPerBurst()) {
                ctx.writeAndFlush("demo line " + lines + " on connection " + number + "\n");
                next = ctx.executor().schedule(() -> burst(ctx, inBurst + 1), schedule.lineInterval().toNanos(),
                        TimeUnit.NANOSECONDS);
            } else {
                ctx.writeAndFlush("demo line " + lines + " on connection " + number + "; now quiet for "
                        + Text.duration(schedule.pause()) + "\n");
                next = ctx.executor().schedule(() -> burst(ctx, 1), schedule.pause().toNanos(), TimeUnit.NANOSECONDS);
            }
        }

        private void drop(ChannelHandlerContext ctx) {
            logger.info("demo server: dropping connection {}", number);
            ctx.writeAndFlush("dropping connection " + number + " now\n").addListener(ChannelFutureListener.CLOSE);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, String line) {
            ctx.writeAndFlush("you said: " + line + "\n");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) throws Exception {
            if (next != null) {
                next.cancel(false);
            }
            if (drop != null) {
                drop.cancel(false);
            }
            super.channelInactive(ctx);
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("demo server: connection {} failed; closing it", number, cause);
            ctx.close();
        }
    }
}
