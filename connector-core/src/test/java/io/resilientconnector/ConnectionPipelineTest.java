package io.resilientconnector;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.resilientconnector.testing.EventRecorder;
import io.resilientconnector.testing.LeakGate;
import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.stream.Collectors;

import static io.resilientconnector.testing.Fast.WAIT;
import static org.assertj.core.api.Assertions.assertThat;

/** The connector adds one handler of its own to each connection; the application's follow it. */
@ExtendWith(LeakGate.class)
class ConnectionPipelineTest {

    @Test
    void theConnectorsOwnPipelineIsOneHandlerBeforeTheApplications() throws Exception {
        try (LineServer server = LineServer.start()) {
            EventRecorder events = new EventRecorder();
            ResilientConnector connector = ResilientConnector.builder(ConnectorOptions.builder()
                            .endpoint("127.0.0.1", server.port()).build())
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast("app", new ChannelInboundHandlerAdapter() {
                                @Override
                                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                                    io.netty.util.ReferenceCountUtil.release(msg);
                                }
                            });
                        }
                    }).listener(events).build();
            try (connector) {
                connector.start();
                events.await("CONNECTED", WAIT);
                Channel channel = connector.channel();
                // Read on the event loop, after the task that installed the handlers (and said CONNECTED) is done.
                List<String> names = channel.eventLoop().submit(() -> channel.pipeline().names()).get().stream()
                        .filter(name -> !name.startsWith("DefaultChannelPipeline$TailContext")).collect(Collectors.toList());
                assertThat(names).containsExactly("rc", "app");
            }
        }
    }
}
