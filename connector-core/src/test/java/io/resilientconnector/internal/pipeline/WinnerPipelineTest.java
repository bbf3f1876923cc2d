package io.resilientconnector.internal.pipeline;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.resilientconnector.internal.connect.AttemptListener;
import io.resilientconnector.internal.connect.ConnectRace;
import io.resilientconnector.internal.connect.Connected;
import io.resilientconnector.internal.connect.RaceKit;
import io.resilientconnector.internal.connect.Route;
import io.resilientconnector.internal.connect.RouteOpener;
import io.resilientconnector.testing.Closer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static io.resilientconnector.internal.connect.RaceKit.direct;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The application's handlers go on the winner after the race: they see channelActive once, a handler already on
 * the bare channel (where a proxy handler would be) does not see it twice, and the greeting a server sends the
 * moment it accepts is not lost while the channel waits for its handlers.
 */
class WinnerPipelineTest {

    @RegisterExtension
    final Closer closer = new Closer();

    private final RaceKit kit = closer.add(new RaceKit());
    private final Queue<Socket> accepted = closer.add(new ConcurrentLinkedQueue<>(), sockets -> {
        for (Socket s : sockets) {
            s.close();
        }
    });
    /** Closed first, so that it accepts nothing more while the accepted are closed. */
    private final ServerSocket greeter = closer.add(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));

    WinnerPipelineTest() throws IOException {
        Thread t = new Thread(() -> {
            try {
                while (true) {
                    Socket s = greeter.accept();
                    accepted.add(s);
                    OutputStream out = s.getOutputStream();
                    out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            } catch (IOException closed) {
                // The test is over.
            }
        }, "greeter");
        t.setDaemon(true);
        t.start();
    }

    /** Counts the channelActive events it sees and passes them on, as a proxy handler's place holder. */
    private static final class ActiveCounter extends ChannelInboundHandlerAdapter {
        final AtomicInteger actives = new AtomicInteger();

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            actives.incrementAndGet();
            ctx.fireChannelActive();
        }
    }

    /** The application: lines in, and a count of channelActive. */
    private static final class App extends ChannelInitializer<Channel> {
        final AtomicInteger actives = new AtomicInteger();
        final List<String> lines = new CopyOnWriteArrayList<>();

        @Override
        protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LineBasedFrameDecoder(1024), new StringDecoder(StandardCharsets.US_ASCII),
                    new SimpleChannelInboundHandler<String>() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            actives.incrementAndGet();
                            ctx.fireChannelActive();
                        }

                        @Override
                        protected void channelRead0(ChannelHandlerContext ctx, String line) {
                            lines.add(line);
                        }
                    });
        }
    }

    private Connected win(ActiveCounter bare) throws InterruptedException {
        return win(bare, AttemptListener.NONE);
    }

    private Connected win(ActiveCounter bare, AttemptListener listener) throws InterruptedException {
        RouteOpener opener = route -> {
            var f = new Bootstrap().group(kit.loop).channelFactory(kit.transport.channelFactory())
                    .option(ChannelOption.AUTO_READ, false)
                    .handler(bare != null ? bare : new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                        }
                    })
                    .connect(route.address());
            kit.opened.add(f.channel());
            return f;
        };
        ConnectRace race = ConnectRace.start(kit.loop, List.of(direct(new InetSocketAddress(
                InetAddress.getLoopbackAddress(), greeter.getLocalPort()))), Duration.ofMillis(250), opener, listener);
        assertThat(race.result().await(10, TimeUnit.SECONDS)).isTrue();
        return race.result().getNow();
    }

    private static void installLater(Channel channel, App app) throws Exception {
        // Later than the win, and after the greeting has surely arrived: nothing may have been read meanwhile.
        channel.eventLoop().schedule(() -> {
            WinnerPipeline.install(channel, "app", app, true);
            return null;
        }, 200, TimeUnit.MILLISECONDS).get(10, TimeUnit.SECONDS);
    }

    @Test
    void theApplicationSeesChannelActiveOnceAndTheFirstBytes() throws Exception {
        Connected won = win(null);
        App app = new App();

        installLater(won.channel(), app);

        await().atMost(Duration.ofSeconds(10)).until(() -> app.lines.contains("hello"));
        assertThat(app.actives.get()).isEqualTo(1);
        assertThat(app.lines).containsExactly("hello");
    }

    @Test
    void aHandlerOnTheBareChannelDoesNotSeeChannelActiveAgain() throws Exception {
        ActiveCounter bare = new ActiveCounter();
        Connected won = win(bare);
        assertThat(bare.actives.get()).isEqualTo(1);
        App app = new App();

        installLater(won.channel(), app);

        await().atMost(Duration.ofSeconds(10)).until(() -> app.lines.contains("hello"));
        assertThat(bare.actives.get()).isEqualTo(1);
        assertThat(app.actives.get()).isEqualTo(1);
        assertThat(won.channel().pipeline().first()).isSameAs(bare);
    }

    @Test
    void installingInTheTaskThatAnnouncesTheWinAlsoGivesOneChannelActive() throws Exception {
        App app = new App();
        ActiveCounter bare = new ActiveCounter();
        win(bare, new AttemptListener() {
            @Override
            public void won(Route route, Channel channel) {
                try {
                    WinnerPipeline.install(channel, "app", app, true);
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });

        await().atMost(Duration.ofSeconds(10)).until(() -> app.lines.contains("hello"));
        assertThat(bare.actives.get()).isEqualTo(1);
        assertThat(app.actives.get()).isEqualTo(1);
    }

    @Test
    void refusesToRunOffTheEventLoop() throws Exception {
        Connected won = win(null);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> WinnerPipeline.install(won.channel(), "app", new App(), true))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("off the channel's event loop");
    }
}
