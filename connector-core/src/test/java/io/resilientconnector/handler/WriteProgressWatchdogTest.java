package io.resilientconnector.handler;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.ending.ConnectionRecord;
import io.resilientconnector.internal.ending.Disconnections;
import io.resilientconnector.internal.liveness.ConnectionTimer;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The watchdog against a channel whose "socket" takes only the bytes the test allows, on a frozen clock.
 * With a 4 s stall timeout, checks run every second while bytes are pending.
 */
class WriteProgressWatchdogTest {

    private static final Duration STALL = Duration.ofSeconds(4);

    /** An EmbeddedChannel whose socket accepts {@link #drain} bytes, and no more, as a full send buffer would. */
    private static final class ThrottledChannel extends EmbeddedChannel {
        private long budget;

        ThrottledChannel(ChannelHandler... handlers) {
            super(handlers);
        }

        @Override
        protected void doWrite(ChannelOutboundBuffer in) {
            while (in.current() != null) {
                ByteBuf buf = (ByteBuf) in.current();
                long n = Math.min(buf.readableBytes(), budget);
                if (n == 0 && buf.readableBytes() > 0) {
                    return;
                }
                budget -= n;
                in.removeBytes(n);
            }
        }

        /** Lets the socket take {@code bytes} more, then writes as the transport does when it turns writable. */
        void drain(long bytes) {
            budget += bytes;
            unsafe().flush();
        }

        void advance(long seconds) {
            for (long i = 0; i < seconds; i++) {
                advanceTimeBy(1, TimeUnit.SECONDS);
                runScheduledPendingTasks();
            }
        }
    }

    private static ThrottledChannel channel() {
        ThrottledChannel ch = new ThrottledChannel(new ConnectionEventLogger(), new WriteProgressWatchdog(STALL));
        ch.freezeTime();
        return ch;
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    @Test
    void closesAsStalledWhenFlushedBytesMakeNoProgressForTheStallTimeout() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(100));
        ch.advance(3);
        assertThat(ch.isOpen()).as("3s without progress is below the 4s stall timeout").isTrue();
        ch.advance(1);
        assertThat(ch.isOpen()).isFalse();
        Disconnection why = ConnectionRecord.of(ch).recorded();
        assertThat(why.cause()).isEqualTo(DisconnectCause.STALLED);
        assertThat(why.detail()).isEqualTo("100 bytes in 1 message waiting, none written for 4s");
        assertThat(why.unacknowledged().known()).isFalse();
        assertThat(why.unacknowledged().unknownBecause()).endsWith("has no TCP_INFO");
    }

    @Test
    void partialProgressOnTheSameMessageRestartsTheClock() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(1000));
        ch.advance(3);
        ch.drain(10);
        ch.advance(4);
        assertThat(ch.isOpen()).as("progress was seen at the check at 4s; 4s later is its timeout, not yet past").isTrue();
        ch.advance(1);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.STALLED);
    }

    @Test
    void aCompletedMessageCountsAsProgress() {
        ThrottledChannel ch = channel();
        ch.write(bytes(100));
        ch.writeAndFlush(bytes(100));
        ch.advance(3);
        ch.drain(100);
        ch.advance(3);
        assertThat(ch.isOpen()).isTrue();
        ch.advance(2);
        assertThat(ch.isOpen()).isFalse();
    }

    @Test
    void aSlowButMovingSocketIsNeverClosed() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(100_000));
        for (int i = 0; i < 60; i++) {
            ch.advance(1);
            ch.drain(1);
        }
        assertThat(ch.isOpen()).isTrue();
        ch.drain(Long.MAX_VALUE / 2);
        ch.finishAndReleaseAll();
    }

    @Test
    void anIdleConnectionSchedulesNothing() {
        ThrottledChannel ch = channel();
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        ch.drain(Long.MAX_VALUE / 2);
        ch.writeAndFlush(bytes(100));
        assertThat(ch.runScheduledPendingTasks()).as("the socket took every byte: nothing to watch").isEqualTo(-1);
        ch.finishAndReleaseAll();
    }

    @Test
    void schedulesOneCheckHoweverManyFlushesAreWaiting() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(100));
        ch.advanceTimeBy(500, TimeUnit.MILLISECONDS);
        for (int i = 0; i < 100; i++) {
            ch.writeAndFlush(bytes(100));
        }
        ch.advanceTimeBy(500 + ConnectionTimer.GRID_MILLIS, TimeUnit.MILLISECONDS);
        // The only task is the check armed by the first flush; it ran (at 1s, rounded up to the timer's grid)
        // and rescheduled itself a check period later, rounded likewise.
        long grid = TimeUnit.MILLISECONDS.toNanos(ConnectionTimer.GRID_MILLIS);
        assertThat(ch.runScheduledPendingTasks()).isBetween(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1) + grid);
        ch.drain(Long.MAX_VALUE / 2);
        ch.advanceTimeBy(1000 + 2 * ConnectionTimer.GRID_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(ch.runScheduledPendingTasks()).as("checks stop once the buffer has drained").isEqualTo(-1);
        ch.finishAndReleaseAll();
    }

    @Test
    void unflushedWritesWaitForTheApplicationAndAreNotAStall() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(100));
        ch.advance(1);
        ch.drain(100);
        ch.write(bytes(100));
        ch.advance(60);
        assertThat(ch.isOpen()).isTrue();
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        ch.finishAndReleaseAll();
    }

    @Test
    void aCauseRecordedEarlierIsKept() {
        ThrottledChannel ch = channel();
        ch.writeAndFlush(bytes(100));
        ConnectionRecord.of(ch).record(Disconnections.of(DisconnectCause.READ_IDLE));
        ch.advance(4);
        assertThat(ch.isOpen()).isFalse();
        assertThat(ConnectionRecord.of(ch).recorded().cause()).isEqualTo(DisconnectCause.READ_IDLE);
    }

    @Test
    void rejectsAStallTimeoutBelow100Milliseconds() {
        assertThatThrownBy(() -> new WriteProgressWatchdog(Duration.ofMillis(99)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeStallTimeout: 99ms");
        assertThatThrownBy(() -> new WriteProgressWatchdog(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("writeStallTimeout: 0ms");
    }
}
