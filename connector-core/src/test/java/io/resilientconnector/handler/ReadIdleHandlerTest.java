package io.resilientconnector.handler;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.timeout.IdleState;
import io.netty.handler.timeout.IdleStateEvent;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.liveness.ConnectionTimer;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReadIdleHandlerTest {

    private static final Duration PERIOD = Duration.ofSeconds(5);
    /** Deadlines are rounded up to the timer's grid, so each fires up to one grid step after its period. */
    private static final Duration GRID = Duration.ofMillis(ConnectionTimer.GRID_MILLIS);

    /** Records the idle events that reach the end of the pipeline. */
    private static final class Events extends ChannelInboundHandlerAdapter {
        final List<IdleStateEvent> seen = new ArrayList<>();

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof IdleStateEvent) {
                seen.add((IdleStateEvent) evt);
            }
        }
    }

    private static EmbeddedChannel channel(int closeAfter, Events events) {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        ch.pipeline().addLast(new ReadIdleHandler(PERIOD), new ReadIdleAction(PERIOD, closeAfter, Level.DEBUG), events);
        return ch;
    }

    private static void advance(EmbeddedChannel ch, Duration by) {
        ch.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        ch.runPendingTasks();
    }

    private static void advancePeriod(EmbeddedChannel ch) {
        advance(ch, PERIOD.plus(GRID));
    }

    @Test
    void firesReadIdleRepeatedlyWhileNothingIsRead() {
        Events events = new Events();
        EmbeddedChannel ch = channel(0, events);
        advance(ch, Duration.ofMillis(4999));
        assertThat(events.seen).isEmpty();
        advance(ch, Duration.ofMillis(1).plus(GRID));
        assertThat(events.seen).as("at most one grid step late").hasSize(1);
        advancePeriod(ch);
        advancePeriod(ch);
        assertThat(events.seen).extracting(IdleStateEvent::state).containsOnly(IdleState.READER_IDLE).hasSize(3);
        assertThat(events.seen).extracting(IdleStateEvent::isFirst).containsExactly(true, false, false);
        assertThat(ch.isOpen()).as("the default action only logs").isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void aReadStartsTheIdleCountOver() {
        Events events = new Events();
        EmbeddedChannel ch = channel(0, events);
        advancePeriod(ch);
        advancePeriod(ch);
        ReadIdleAction action = ch.pipeline().get(ReadIdleAction.class);
        assertThat(action.consecutive()).isEqualTo(2);
        ch.writeInbound(Unpooled.wrappedBuffer(new byte[] {1}));
        advancePeriod(ch);
        assertThat(action.consecutive()).isEqualTo(1);
        ch.finishAndReleaseAll();
    }

    @Test
    void closesAfterTheConfiguredNumberOfConsecutivePeriods() {
        Events events = new Events();
        EmbeddedChannel ch = channel(3, events);
        advancePeriod(ch);
        advancePeriod(ch);
        assertThat(ch.isOpen()).isTrue();
        advancePeriod(ch);
        assertThat(ch.isOpen()).isFalse();
        Disconnection why = ConnectionRecord.of(ch).recorded();
        assertThat(why.cause()).isEqualTo(DisconnectCause.READ_IDLE);
        assertThat(why.detail()).isEqualTo("nothing received for 15s");
        assertThat(events.seen).as("the third event is still passed on").hasSize(3);
        ch.finishAndReleaseAll();
    }

    @Test
    void rejectsBadSettings() {
        assertThatThrownBy(() -> new ReadIdleHandler(Duration.ZERO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readIdlePeriod: 0ms (expected: > 0 and <= 24h)");
        assertThatThrownBy(() -> new ReadIdleAction(PERIOD, -1, Level.INFO)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("readIdleCloseAfter: -1 (expected: 0..2147483647)");
    }
}
