package io.resilientconnector.examples;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Disconnection;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Embedding the connector in a Netty application: the application owns its event loop group and shares it
 * with the connector, gives the connector its pipeline as a {@link ChannelInitializer} (a line decoder and
 * its own handler, installed fresh on every connection), and listens to the connector's events. It sends a
 * greeting once; if the connection is down, the greeting waits and goes out after the connect.
 *
 * <pre>
 * java -cp connector-examples/target/resilient-connector-example.jar io.resilientconnector.examples.EmbeddedExample [HOST PORT]
 * </pre>
 *
 * Without a host and port it starts a {@link DemoServer} and connects to that.
 */
public final class EmbeddedExample implements AutoCloseable {

    private final EventLoopGroup group;
    private final ConnectorResources resources;
    private final ResilientConnector connector;

    /**
     * Connects to {@code host:port} and keeps connecting; each line received and each event goes to
     * {@code out}.
     */
    public EmbeddedExample(String host, int port, Consumer<String> out) {
        // The application's own group, wrapped as connector resources: the connector runs on it and picks its
        // transport (here NIO) from it. Without resources it would share the process-wide default.
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        resources = ConnectorResources.builder().eventLoopGroup(group).build();
        ConnectorOptions options = ConnectorOptions.builder()
                .endpoint(host, port)
                .readIdlePeriod(Duration.ofSeconds(5))
                .build();
        connector = ResilientConnector.builder(options)
                .resources(resources)
                .handler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(
                                new LineBasedFrameDecoder(8192),
                                new StringDecoder(StandardCharsets.UTF_8),
                                new StringEncoder(StandardCharsets.UTF_8),
                                new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        out.accept("line: " + line);
                                    }
                                });
                    }
                })
                .listener(new ConnectorListener() {
                    @Override
                    public void connected(Channel channel) {
                        out.accept("connected to " + channel.remoteAddress());
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
                    public void readIdle(Channel channel, int consecutive) {
                        out.accept("read idle (" + consecutive + " in a row)");
                    }
                })
                .build();
        connector.start();
        // Sent before the connection is up: it waits in the connector's buffer, then goes out in order.
        connector.send("hello from EmbeddedExample\n");
    }

    /** Closes the connector, its resources, then the application's group, which resources leave running. */
    @Override
    public void close() {
        connector.close();
        resources.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 0 && args.length != 2) {
            System.err.println("usage: EmbeddedExample [HOST PORT]");
            System.exit(2);
        }
        DemoServer demo = args.length == 0 ? DemoServer.start(0) : null;
        String host = demo != null ? ConnectorMain.DEMO_HOST : args[0];
        int port = demo != null ? demo.port() : Integer.parseInt(args[1]);
        EmbeddedExample example = new EmbeddedExample(host, port, System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            example.close();
            if (demo != null) {
                demo.close();
            }
        }));
        Thread.currentThread().join(); // until Ctrl-C
    }
}
