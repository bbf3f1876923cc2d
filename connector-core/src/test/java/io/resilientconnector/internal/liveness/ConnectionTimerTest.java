package io.resilientconnector.internal.liveness;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** One lazily re-armed timer per connection, its deadlines rounded up to a coarse grid. */
class ConnectionTimerTest {

    private static final long GRID = TimeUnit.MILLISECONDS.toNanos(ConnectionTimer.GRID_MILLIS);

    @Test
    void roundsDeadlinesUpToTheGrid() {
        assertThat(ConnectionTimer.roundUp(0)).isZero();
        assertThat(ConnectionTimer.roundUp(1)).isEqualTo(GRID);
        assertThat(ConnectionTimer.roundUp(GRID)).isEqualTo(GRID);
        assertThat(ConnectionTimer.roundUp(GRID + 1)).isEqualTo(2 * GRID);
        assertThat(ConnectionTimer.roundUp(-1)).isZero();
    }

    @Test
    void deadlinesInOneGridSlotShareOneFiringTime() {
        EmbeddedChannel a = new EmbeddedChannel();
        a.freezeTime();
        long slot = ConnectionTimer.roundUp(a.eventLoop().ticker().nanoTime());
        long first = ConnectionTimer.roundUp(slot + TimeUnit.SECONDS.toNanos(5) + 1);
        long second = ConnectionTimer.roundUp(slot + TimeUnit.SECONDS.toNanos(5) + GRID - 1);
        assertThat(first).as("two connections' deadlines a few ms apart wake the loop once").isEqualTo(second);
        a.finishAndReleaseAll();
    }

    @Test
    void keepsAnEarlierFiringAndMovesALaterOneForward() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ch.freezeTime();
        AtomicInteger fired = new AtomicInteger();
        ConnectionTimer timer = new ConnectionTimer(fired::incrementAndGet);
        long now = ch.eventLoop().ticker().nanoTime();

        timer.arm(ch.eventLoop(), now + TimeUnit.SECONDS.toNanos(1));
        timer.arm(ch.eventLoop(), now + TimeUnit.SECONDS.toNanos(3));
        assertThat(ch.runScheduledPendingTasks()).as("the later deadline keeps the earlier firing")
                .isBetween(TimeUnit.SECONDS.toNanos(1), TimeUnit.SECONDS.toNanos(1) + GRID);

        timer.arm(ch.eventLoop(), now + TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(ch.runScheduledPendingTasks()).as("an earlier deadline replaces the firing")
                .isBetween(TimeUnit.MILLISECONDS.toNanos(200), TimeUnit.MILLISECONDS.toNanos(200) + GRID);

        ch.advanceTimeBy(200 + ConnectionTimer.GRID_MILLIS, TimeUnit.MILLISECONDS);
        assertThat(ch.runScheduledPendingTasks()).as("one firing, nothing left scheduled").isEqualTo(-1);
        assertThat(fired).hasValue(1);
        assertThat(timer.armed()).isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void neverSchedulesNothing() {
        EmbeddedChannel ch = new EmbeddedChannel();
        ConnectionTimer timer = new ConnectionTimer(() -> { });
        timer.arm(ch.eventLoop(), ConnectionTimer.NEVER);
        assertThat(timer.armed()).isFalse();
        assertThat(ch.runScheduledPendingTasks()).isEqualTo(-1);
        ch.finishAndReleaseAll();
    }
}
