package io.resilientconnector.examples;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.Disconnection;
import io.resilientconnector.handler.ConnectionEventLogger;
import io.resilientconnector.handler.ReadIdleAction;
import io.resilientconnector.handler.ReadIdleHandler;
import io.resilientconnector.handler.ReceivedBytesLogger;
import io.resilientconnector.handler.ReconnectHandler;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.SocketTuning;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import org.slf4j.event.Level;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The library's handlers in a plain Netty {@link Bootstrap} of your own, without {@code ResilientConnector}:
 * keepalive options applied by {@link SocketTuning}, then in the pipeline a {@link ConnectionEventLogger}
 * (why each connection ended), a shared {@link ReconnectHandler} (reconnect with backoff),
 * {@link ReadIdleHandler} with {@link ReadIdleAction} (read-idle periods, logged), a {@link ReceivedBytesLogger},
 * and the application's own handlers. Connecting goes through {@code reconnect.connect()}.
 *
 * <pre>
 * java -cp connector-examples/target/resilient-connector-example.jar io.resilientconnector.examples.OwnBootstrapExample [HOST PORT]
 * </pre>
 *
 * Without a host and port it starts a {@link DemoServer} and connects to that.
 */
public final class OwnBootstrapExample implements AutoCloseable {

    private final EventLoopGroup group;
    private final ReconnectHandler reconnect;
    private volatile Channel channel;

    /**
     * Connects to {@code host:port} and keeps connecting; each line received and each event goes to
     * {@code out}. Library log lines go to SLF4J.
     */
    public OwnBootstrapExample(String host, int port, Consumer<String> out) {
        Transport transport = Transport.resolve(TransportType.AUTO);
        group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channelFactory(transport.channelFactory())
                // Unresolved, so the name is looked up again on every reconnect.
                .remoteAddress(host, port)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 10_000);

        KeepAliveOptions keepAlive = KeepAliveOptions.builder()
                .idle(Duration.ofSeconds(60)).interval(Duration.ofSeconds(15)).count(4).build();
        SocketTuning tuning = SocketTuning.plan(transport, keepAlive, false);
        tuning.applyTo(bootstrap);
        tuning.warnings().forEach(warning -> out.accept("warning: " + warning));

        Duration readIdlePeriod = Duration.ofSeconds(5);
        // Sharable, so one instance serves every connection; the idle handlers hold state and are made per channel.
        ConnectionEventLogger events = new ConnectionEventLogger();
        ReceivedBytesLogger received = new ReceivedBytesLogger(Level.INFO, 64);
        reconnect = new ReconnectHandler(bootstrap, ReconnectPolicy.defaults(), new Random(),
                new ConnectorListener() {
                    @Override
                    public void connected(Channel ch) {
                        channel = ch;
                        out.accept("connected: " + tuning.readBack(ch).describe(null));
                    }

                    @Override
                    public void disconnected(Disconnection why) {
                        out.accept("disconnected: " + why);
                    }

                    @Override
                    public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                        out.accept("connect failed: " + why);
                    }

                    @Override
                    public void reconnectScheduled(int attempt, Duration delay, Disconnection after) {
                        out.accept("reconnecting: attempt " + attempt + " in " + delay.toMillis() + " ms");
                    }

                    @Override
                    public void gaveUp(int attempts, Disconnection last) {
                        out.accept("gave up after " + attempts + " attempts");
                    }
                });
        bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(
                        events,
                        reconnect,
                        new ReadIdleHandler(readIdlePeriod),
                        new ReadIdleAction(readIdlePeriod, 0, Level.INFO),
                        received,
                        new LineBasedFrameDecoder(8192),
                        new StringDecoder(StandardCharsets.UTF_8),
                        new SimpleChannelInboundHandler<String>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                out.accept("line: " + line);
                            }
                        });
            }
        });
        reconnect.connect();
    }

    /** Stops reconnecting first, or closing the channel would only start the next attempt. */
    @Override
    public void close() {
        reconnect.stop();
        Channel ch = channel;
        if (ch != null) {
            ch.close().syncUninterruptibly();
        }
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 0 && args.length != 2) {
            System.err.println("usage: OwnBootstrapExample [HOST PORT]");
            System.exit(2);
        }
        DemoServer demo = args.length == 0 ? DemoServer.start(0) : null;
        String host = demo != null ? ConnectorMain.DEMO_HOST : args[0];
        int port = demo != null ? demo.port() : Integer.parseInt(args[1]);
        OwnBootstrapExample example = new OwnBootstrapExample(host, port, System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            example.close();
            if (demo != null) {
                demo.close();
            }
        }));
        Thread.currentThread().join(); // until Ctrl-C
    }
}
