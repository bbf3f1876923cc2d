package io.resilientconnector.handler;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.ConnectionRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.SocketException;
import java.nio.channels.ClosedChannelException;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionEventLoggerTest {

    /** Ends the pipeline quietly, as the connector's own tail does. */
    private static final class SwallowExceptions extends io.netty.channel.ChannelInboundHandlerAdapter {
        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        }
    }

    @Test
    void anInactiveChannelWithNoOtherCauseWasClosedByThePeer() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectionEventLogger());
        ch.pipeline().fireChannelInactive();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.PEER_CLOSED);
        ch.finishAndReleaseAll();
    }

    @Test
    void aCloseThroughThePipelineIsALocalClose() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectionEventLogger());
        ch.close();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.LOCAL_CLOSE);
    }

    @Test
    void theFirstCauseWins() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectionEventLogger());
        ch.pipeline().fireExceptionCaught(new SocketException("reset"));
        ch.close();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.RESET);
    }

    @Test
    void classifiesIoExceptionsAndPassesThemOn() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectionEventLogger());
        IOException timedOut = new IOException("localized text is never read");
        ch.pipeline().fireExceptionCaught(timedOut);
        Disconnection why = ConnectionRecord.of(ch).recorded();
        assertThat(why.cause()).isEqualTo(DisconnectCause.TIMED_OUT);
        assertThat(why.exception()).isSameAs(timedOut);
        assertThat(why.errno()).as("NIO reports no errno").isNull();
        // EmbeddedChannel rethrows what reached the end of its pipeline: the exception was passed on.
        org.assertj.core.api.Assertions.assertThatThrownBy(ch::checkException).isSameAs(timedOut);
        ch.finishAndReleaseAll();
    }

    @Test
    void anExceptionThatIsNotAnIoErrorIsNotACause() {
        EmbeddedChannel ch = new EmbeddedChannel(new ConnectionEventLogger(), new SwallowExceptions());
        ch.pipeline().fireExceptionCaught(new IllegalStateException("decoder bug"));
        assertThat(ConnectionRecord.of(ch).recorded()).isNull();
        ch.pipeline().fireExceptionCaught(new ClosedChannelException());
        assertThat(ConnectionRecord.of(ch).recorded()).isNull();
        ch.finishAndReleaseAll();
    }

    @Test
    void aFailedWriteIsClassifiedEvenThoughItFiresNoExceptionCaught() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.pipeline().addLast(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                io.netty.util.ReferenceCountUtil.release(msg);
                promise.setFailure(new SocketException("broken pipe"));
            }
        });
        ch.pipeline().addFirst(new ConnectionEventLogger());
        ch.pipeline().addLast(new SwallowExceptions());
        ch.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {1}), ch.voidPromise());
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.RESET);
        ch.finishAndReleaseAll();
    }
}
