package io.resilientconnector.internal.connect;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.ChannelLog;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** What the race and pass tests share: an event loop, a bare-channel opener, listeners and an event log. */
public final class RaceKit implements AutoCloseable {

    public final Transport transport = Transport.resolve(TransportType.AUTO);
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("race-test", true),
            transport.ioHandlerFactory());
    public final EventLoop loop = group.next();
    /** Every channel any opener of this kit opened. */
    public final Queue<Channel> opened = new ConcurrentLinkedQueue<>();
    private final List<ServerSocket> listeners = new CopyOnWriteArrayList<>();
    private final Queue<Socket> accepted = new ConcurrentLinkedQueue<>();

    /**
     * Opens a bare channel: no handler once registered, auto-read off so that nothing is read before the
     * application's handlers are on, and the given connect timeout for the one attempt.
     */
    RouteOpener opener(Duration connectTimeout) {
        return route -> {
            ChannelFuture f = new Bootstrap().group(loop).channelFactory(transport.channelFactory())
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) connectTimeout.toMillis())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .connect(route.address());
            opened.add(f.channel());
            return f;
        };
    }

    /**
     * A listener on {@code host} at {@code port}, or at a free port with 0, that accepts every connection and
     * holds it open, so that its accept queue never fills. Closed with the kit.
     */
    ServerSocket listen(String host, int port) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 50);
        listeners.add(s);
        Thread acceptor = new Thread(() -> {
            try {
                while (true) {
                    accepted.add(s.accept());
                }
            } catch (IOException closed) {
                // The kit closed the listener.
            }
        }, "race-test-accept-" + s.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
        return s;
    }

    /** Whether nothing listens on {@code host:port}, so that a connect there is refused. */
    public static boolean refuses(String host, int port) {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getByName(host), port), 1);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    public static InetSocketAddress at(String literal, int port) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), port);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    public static InetAddress ip(String literal) {
        return at(literal, 1).getAddress();
    }

    /** A route whose endpoint is the address itself, for races that need no name. */
    public static Route direct(InetSocketAddress address) {
        return new Route(InetSocketAddress.createUnresolved(address.getHostString(), address.getPort()), address);
    }

    /** The channels this kit opened that are still open. */
    List<Channel> stillOpen() {
        List<Channel> open = new ArrayList<>();
        for (Channel c : opened) {
            if (c.isOpen()) {
                open.add(c);
            }
        }
        return open;
    }

    @Override
    public void close() throws Exception {
        for (Channel c : opened) {
            c.close();
        }
        for (ServerSocket s : listeners) {
            s.close();
        }
        for (Socket s : accepted) {
            s.close();
        }
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(10, TimeUnit.SECONDS);
    }

    /** Records attempt events as lines such as {@code started 127.0.0.1:5000}, in order. */
    public static class Log implements AttemptListener {
        final List<String> events = new CopyOnWriteArrayList<>();

        @Override
        public void unresolved(InetSocketAddress endpoint, Throwable cause) {
            events.add("unresolved " + ChannelLog.address(endpoint) + " " + cause.getClass().getSimpleName());
        }

        @Override
        public void started(Route route) {
            events.add("started " + ChannelLog.address(route.address()));
        }

        @Override
        public void failed(Route route, Channel channel, Throwable cause) {
            events.add("failed " + ChannelLog.address(route.address()) + " " + kind(cause));
        }

        @Override
        public void won(Route route, Channel channel) {
            events.add("won " + ChannelLog.address(route.address()));
        }

        /** The exception's kind, the same on every transport (epoll annotates its connect exceptions). */
        private static String kind(Throwable cause) {
            if (cause instanceof ConnectTimeoutException) {
                return "ConnectTimeoutException";
            }
            return cause instanceof ConnectException ? "ConnectException" : cause.getClass().getSimpleName();
        }

        List<String> startedAddresses() {
            List<String> out = new ArrayList<>();
            for (String e : events) {
                if (e.startsWith("started ")) {
                    out.add(e.substring("started ".length()));
                }
            }
            return out;
        }
    }
}
