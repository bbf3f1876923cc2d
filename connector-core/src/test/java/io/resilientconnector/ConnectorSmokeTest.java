package io.resilientconnector;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.resilientconnector.backoff.Backoff;
import io.resilientconnector.backoff.Jitter;
import io.resilientconnector.backoff.ReconnectPolicy;
import io.resilientconnector.cause.DisconnectCause;
import io.resilientconnector.cause.Disconnection;
import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectorSmokeTest {

    @Test
    void connectsSendsAndReconnectsAfterPeerClose() throws Exception {
        try (LineServer server = LineServer.start()) {
            BlockingQueue<Object> events = new LinkedBlockingQueue<>();
            ConnectorOptions options = ConnectorOptions.builder().endpoint("127.0.0.1", server.port())
                    .reconnect(ReconnectPolicy.builder().backoff(Backoff.builder().initial(Duration.ofMillis(50))
                            .max(Duration.ofMillis(200)).jitter(Jitter.NONE).build()).build())
                    .build();
            try (ResilientConnector connector = ResilientConnector.builder(options)
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .listener(new ConnectorListener() {
                        @Override
                        public void connected(Channel channel) {
                            events.add("connected");
                        }

                        @Override
                        public void disconnected(Disconnection why) {
                            events.add(why.cause());
                        }
                    }).build().start()) {
                assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("connected");
                connector.send(Unpooled.copiedBuffer("one\n", StandardCharsets.US_ASCII)).get(5, TimeUnit.SECONDS);
                assertThat(server.pollLine(5, TimeUnit.SECONDS)).isEqualTo("one");
                server.awaitOpenConnections(1);
                server.closeConnections();
                assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo(DisconnectCause.PEER_CLOSED);
                assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("connected");
            }
        }
    }
}
