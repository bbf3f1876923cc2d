package io.resilientconnector.benchmarks;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.resilientconnector.transport.TransportType;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A loopback server for whole-process benchmarks, run in a process of its own so that its sockets and heap
 * stay out of the measured client's. It accepts on several ports, holds every connection open and discards
 * what it reads. It takes commands, one per line, on standard input and answers on standard output:
 *
 * <ul>
 *   <li>{@code count}: {@code COUNT n}, the connections open now;</li>
 *   <li>{@code down}: stops listening and closes every connection; {@code DOWN nanoTime} when done;</li>
 *   <li>{@code up}: listens again on the same ports; {@code UP nanoTime} once they accept;</li>
 *   <li>{@code quit}, or the end of standard input: exits.</li>
 * </ul>
 *
 * {@code nanoTime} is {@link System#nanoTime()}, which reads CLOCK_MONOTONIC on Linux and so compares across
 * processes on one machine. It exits by itself after {@code --max-seconds} whatever happens.
 *
 * <pre>
 * HoldServer --transport epoll --ports 4 --max-seconds 1800
 * </pre>
 */
public final class HoldServer {

    private final TransportType transport;
    private final EventLoopGroup group;
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final List<Channel> listeners = new ArrayList<>();
    private final List<Integer> ports = new ArrayList<>();

    private HoldServer(TransportType transport, int threads) {
        this.transport = transport;
        this.group = Loopback.group(transport, threads, "hold-server");
    }

    public static void main(String[] args) throws Exception {
        Bench.main(() -> run(args));
    }

    static void run(String[] args) throws Exception {
        Bench.logToFile("hold-server");
        Args a = new Args(args);
        TransportType transport = Args.constant(TransportType.class, "transport", a.string("transport", "NIO"));
        int portCount = a.integer("ports", 4, 1);
        int threads = a.integer("threads", 1, 1);
        int maxSeconds = a.integer("max-seconds", 1800, 1);
        a.checkAllUsed();

        Thread deadline = new Thread(() -> {
            try {
                Thread.sleep(TimeUnit.SECONDS.toMillis(maxSeconds));
            } catch (InterruptedException e) {
                return;
            }
            System.err.println("hold server: --max-seconds " + maxSeconds + " reached; exiting");
            Runtime.getRuntime().halt(3);
        }, "hold-server-deadline");
        deadline.setDaemon(true);
        deadline.start();

        HoldServer server = new HoldServer(transport, threads);
        for (int i = 0; i < portCount; i++) {
            server.ports.add(0);
        }
        server.listen();
        System.out.println("PORTS " + server.ports.stream().map(String::valueOf).collect(Collectors.joining(",")));
        System.out.flush();

        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null) {
            switch (line.trim()) {
                case "count":
                    System.out.println("COUNT " + server.connections.size());
                    break;
                case "down":
                    server.down();
                    System.out.println("DOWN " + System.nanoTime());
                    break;
                case "up":
                    server.listen();
                    System.out.println("UP " + System.nanoTime());
                    break;
                case "quit":
                    server.group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
                    System.exit(0);
                    break;
                default:
                    System.out.println("ERROR unknown command: " + line);
            }
            System.out.flush();
        }
        // The parent is gone: so are we.
        System.exit(0);
    }

    /** Waits until {@code server} holds no connection, so the next run starts from none. */
    static void awaitEmpty(ChildJvm server) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            server.send("count");
            if (server.expect("COUNT", java.time.Duration.ofSeconds(10)).equals("0")) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("hold server still holds connections after 60 s");
    }

    private void listen() throws InterruptedException {
        ChannelInitializer<Channel> child = new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                connections.add(ch);
                ch.pipeline().addLast(Loopback.Discard.INSTANCE, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        ctx.close();
                    }
                });
            }
        };
        for (int i = 0; i < ports.size(); i++) {
            Channel listener = Loopback.server(transport, group, child).bind(Loopback.HOST, ports.get(i)).sync().channel();
            ports.set(i, ((InetSocketAddress) listener.localAddress()).getPort());
            listeners.add(listener);
        }
    }

    private void down() throws InterruptedException {
        for (Channel listener : listeners) {
            listener.close().sync();
        }
        listeners.clear();
        connections.close().await(30, TimeUnit.SECONDS);
    }
}
