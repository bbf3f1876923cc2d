package io.resilientconnector.testing;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Disconnection;
import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.SendRejectedException;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A connector's life, run by a test in a class loader that has no Micrometer: connect, the peer's close, a
 * rejected send, close. Uses the core and Netty only, and plain sockets for the server.
 */
public final class WithoutMicrometer {

    private WithoutMicrometer() {
    }

    /** Returns the events the connector reported, in order, such as {@code CONNECTED}. */
    public static String run() throws Exception {
        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // A reconnect far away, so that none connects before the close on a busy machine.
            ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.getLocalPort())
                    .maxPendingMessages(0).reconnect(ReconnectPolicy.builder().initialDelay(Duration.ofSeconds(30))
                            .jitter(Jitter.NONE).build()).build();
            ResilientConnector connector = ResilientConnector.builder(options).handler(new CountingSink())
                    .listener(new ConnectorListener() {
                        @Override
                        public void connected(Channel channel) {
                            events.add("CONNECTED");
                        }

                        @Override
                        public void disconnected(Disconnection why) {
                            events.add("DISCONNECTED " + why.cause());
                        }

                        @Override
                        public void sendRejected(SendRejectedException rejected) {
                            events.add("REJECTED " + rejected.reason());
                        }
                    }).build();
            StringBuilder seen = new StringBuilder();
            try {
                connector.start();
                try (Socket accepted = server.accept()) {
                    seen.append(next(events)).append(' ');
                }
                seen.append(next(events)).append(' ');
                connector.close();
                connector.send(Unpooled.wrappedBuffer(new byte[1]));
                seen.append(next(events));
            } finally {
                connector.close();
            }
            return seen.toString();
        }
    }

    private static String next(BlockingQueue<String> events) throws InterruptedException {
        String e = events.poll(10, TimeUnit.SECONDS);
        if (e == null) {
            throw new AssertionError("no event within 10s");
        }
        return e;
    }
}
