package io.resilientconnector.examples;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.ConnectorResources;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.Disconnection;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Many connections in one JVM, as a gateway to many devices holds them: every connector shares one
 * {@link ConnectorResources}, so N connections cost one event loop thread per core, not one thread each, and a
 * connect-rate limit keeps a thousand connectors that lose their server at once from storming it when it
 * comes back. One listener serves them all; each event names its connection.
 *
 * <p>Run it against the demo server: {@code ManyConnectionsExample [COUNT]}.
 */
public final class ManyConnectionsExample implements AutoCloseable {

    private final ConnectorResources resources;
    private final List<ResilientConnector> connectors = new ArrayList<>();
    private final AtomicInteger connected = new AtomicInteger();
    private final AtomicInteger lines = new AtomicInteger();

    /** Opens {@code count} connections to {@code host:port}; a summary of each event goes to {@code out}. */
    public ManyConnectionsExample(String host, int port, int count, Consumer<String> out) {
        // Shared by every connector below: one thread per core, and at most 100 connection attempts a second.
        resources = ConnectorResources.builder().connectRateLimit(100).build();
        ConnectorListener listener = new ConnectorListener() {
            @Override
            public void connected(Channel channel) {
                out.accept("connected " + channel.id().asShortText() + " (" + connected.incrementAndGet() + " up)");
            }

            @Override
            public void disconnected(Disconnection why) {
                connected.decrementAndGet();
                out.accept("disconnected " + why.connectionId() + " from " + why.remoteAddress() + ": " + why.cause());
            }

            @Override
            public void connectFailed(Disconnection why, List<Disconnection> attempts) {
                out.accept("connect failed to " + why.remoteAddress() + ": " + why.cause());
            }
        };
        ChannelInitializer<Channel> handlers = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline().addLast(new LineBasedFrameDecoder(8192), new StringDecoder(StandardCharsets.UTF_8),
                        new SimpleChannelInboundHandler<String>() {
                            @Override
                            protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                lines.incrementAndGet();
                            }
                        });
            }
        };
        ConnectorOptions options = ConnectorOptions.builder().endpoint(host, port).build();
        for (int i = 0; i < count; i++) {
            connectors.add(ResilientConnector.builder(options).resources(resources).handler(handlers)
                    .listener(listener).build().start());
        }
    }

    /** Connections up now. */
    public int connected() {
        return connected.get();
    }

    /** Lines received over all connections. */
    public int lines() {
        return lines.get();
    }

    /** Closes every connector, then the resources they shared. */
    @Override
    public void close() {
        connectors.forEach(ResilientConnector::closeAsync);
        connectors.forEach(ResilientConnector::close);
        resources.close();
    }

    public static void main(String[] args) throws Exception {
        int count = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        DemoServer demo = DemoServer.start(0);
        ManyConnectionsExample example = new ManyConnectionsExample(ConnectorMain.DEMO_HOST, demo.port(), count,
                System.out::println);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            example.close();
            demo.close();
        }));
        Thread.currentThread().join(); // until Ctrl-C
    }
}
