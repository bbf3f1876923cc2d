package io.resilientconnector.internal.liveness;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.internal.pipeline.ConnectionHandler;
import io.resilientconnector.internal.pipeline.ConnectionOwner;
import io.resilientconnector.internal.pipeline.ConnectionSettings;
import io.resilientconnector.internal.pipeline.ReceivedBytesPreview;
import org.junit.jupiter.api.Test;
import org.slf4j.event.Level;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The heartbeat inside the connection handler, on EmbeddedChannel's frozen clock. */
class HeartbeatTest {

    private static final Duration IDLE = Duration.ofSeconds(3);
    private static final Duration TIMEOUT = Duration.ofSeconds(1);
    private static final long GRID = ConnectionTimer.GRID_MILLIS;

    /** What the handler tells its connector. */
    private static final class Owner implements ConnectionOwner {
        final List<Long> roundTrips = new ArrayList<>();
        Disconnection ended;
        boolean ready;

        @Override
        public void ready(Channel channel) {
            ready = true;
        }

        @Override
        public void readIdle(Channel channel, int consecutive) {
        }

        @Override
        public void writabilityChanged(Channel channel) {
        }

        @Override
        public void heartbeat(Channel channel, long roundTripNanos) {
            roundTrips.add(roundTripNanos);
        }

        @Override
        public void ended(Channel channel, Disconnection why) {
            ended = why;
        }
    }

    /** A socket that takes bytes only when told to: a probe behind it is queued, never written. */
    private static final class BlockedChannel extends EmbeddedChannel {
        boolean blocked;

        @Override
        protected void doWrite(ChannelOutboundBuffer in) throws Exception {
            if (!blocked) {
                super.doWrite(in);
            }
        }
    }

    private static ConnectionSettings settings(HeartbeatOptions heartbeat) {
        return settings(heartbeat, Duration.ZERO);
    }

    private static ConnectionSettings settings(HeartbeatOptions heartbeat, Duration writeStallTimeout) {
        return new ConnectionSettings(Duration.ZERO, null, writeStallTimeout, new ReceivedBytesPreview(Level.TRACE, 0))
                .withHeartbeat(heartbeat.idle(), heartbeat.timeout(), heartbeat::newProbe, heartbeat.reply(),
                        heartbeat.startWhenSignalled());
    }

    private static HeartbeatOptions.Builder options() {
        return HeartbeatOptions.builder().probe("PING\r\n").idle(IDLE).timeout(TIMEOUT);
    }

    private static EmbeddedChannel channel(EmbeddedChannel ch, Owner owner, HeartbeatOptions heartbeat) {
        return channel(ch, owner, settings(heartbeat));
    }

    private static EmbeddedChannel channel(EmbeddedChannel ch, Owner owner, ConnectionSettings settings) {
        ch.freezeTime();
        ch.pipeline().addLast(new ConnectionHandler(owner, settings));
        // As the connector's pipeline does once the handlers are in place (WinnerPipeline).
        ch.pipeline().fireChannelActive();
        return ch;
    }

    private static void advance(EmbeddedChannel ch, long millis) {
        ch.advanceTimeBy(millis, TimeUnit.MILLISECONDS);
        ch.runScheduledPendingTasks();
        ch.runPendingTasks();
    }

    private static String probes(EmbeddedChannel ch) {
        StringBuilder out = new StringBuilder();
        for (Object m; (m = ch.readOutbound()) != null; ) {
            out.append(((ByteBuf) m).toString(StandardCharsets.US_ASCII));
            ((ByteBuf) m).release();
        }
        return out.toString();
    }

    @Test
    void probesAfterReadSilenceWhateverIsWritten() {
        Owner owner = new Owner();
        EmbeddedChannel ch = channel(new EmbeddedChannel(), owner, options().build());
        assertThat(owner.ready).isTrue();
        for (int i = 0; i < 29; i++) {
            ch.writeOutbound(Unpooled.copiedBuffer("data\n", StandardCharsets.US_ASCII));
            advance(ch, 100);
        }
        assertThat(probes(ch)).as("writes alone do not hold the probe back, and none comes before idle")
                .doesNotContain("PING").contains("data");
        advance(ch, 100 + GRID);
        assertThat(probes(ch)).isEqualTo("PING\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aReplyWithinTheTimeoutKeepsTheConnectionAndReportsTheRoundTrip() {
        Owner owner = new Owner();
        EmbeddedChannel ch = channel(new EmbeddedChannel(), owner, options().build());
        advance(ch, IDLE.toMillis() + GRID);
        assertThat(probes(ch)).isEqualTo("PING\r\n");
        advance(ch, 400);
        ch.writeInbound(Unpooled.copiedBuffer("+PONG\r\n", StandardCharsets.US_ASCII));
        assertThat(owner.roundTrips).containsExactly(TimeUnit.MILLISECONDS.toNanos(400));
        advance(ch, TIMEOUT.toMillis() * 3);
        assertThat(ch.isOpen()).isTrue();
        ch.finishAndReleaseAll();
    }

    @Test
    void noReplyClosesAsUnresponsiveAtIdlePlusTimeout() {
        Owner owner = new Owner();
        EmbeddedChannel ch = channel(new EmbeddedChannel(), owner, options().build());
        advance(ch, IDLE.toMillis() + GRID);
        assertThat(probes(ch)).isEqualTo("PING\r\n");
        advance(ch, TIMEOUT.toMillis() - 2 * GRID);
        assertThat(ch.isOpen()).as("not before the timeout").isTrue();
        advance(ch, 3 * GRID);
        assertThat(ch.isOpen()).as("closed at idle + timeout, within the timer's grid").isFalse();
        assertThat(owner.ended.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
        assertThat(owner.ended.probeAcknowledged()).as("EmbeddedChannel has no TCP_INFO")
                .isEqualTo(Disconnection.ProbeAcknowledgement.UNKNOWN);
        assertThat(owner.ended.detail()).startsWith("no reply to the heartbeat probe within its timeout of 1s (waited 1.1s since writing it); whether");
        ch.finishAndReleaseAll();
    }

    @Test
    void onlyAMatchingReplyAnswersTheProbe() {
        Owner owner = new Owner();
        HeartbeatOptions heartbeat = options()
                .reply(buf -> buf.toString(StandardCharsets.US_ASCII).startsWith("+PONG")).build();
        EmbeddedChannel ch = channel(new EmbeddedChannel(), owner, heartbeat);
        advance(ch, IDLE.toMillis() + GRID);
        probes(ch);
        ch.writeInbound(Unpooled.copiedBuffer("unrelated push\r\n", StandardCharsets.US_ASCII));
        ((ByteBuf) ch.readInbound()).release();
        assertThat(owner.roundTrips).isEmpty();
        advance(ch, TIMEOUT.toMillis() + 2 * GRID);
        assertThat(ch.isOpen()).isFalse();
        assertThat(owner.ended.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
        ch.finishAndReleaseAll();
    }

    @Test
    void waitsForTheApplicationsSignalWhenToldTo() {
        Owner owner = new Owner();
        EmbeddedChannel ch = channel(new EmbeddedChannel(), owner, options().startWhenSignalled().build());
        advance(ch, IDLE.toMillis() * 3);
        assertThat(probes(ch)).as("no probe before the login is done").isEmpty();
        HeartbeatOptions.start(ch);
        advance(ch, IDLE.toMillis() - GRID);
        assertThat(probes(ch)).as("still no probe before idle after the signal").isEmpty();
        advance(ch, 3 * GRID);
        assertThat(probes(ch)).isEqualTo("PING\r\n");
        ch.finishAndReleaseAll();
    }

    @Test
    void aProbeStuckBehindQueuedWritesIsTheWriteStallWatchdogsToReport() {
        Owner owner = new Owner();
        BlockedChannel ch = new BlockedChannel();
        // A watchdog too patient to fire within this test: the heartbeat must leave the stuck probe to it.
        channel(ch, owner, settings(options().build(), Duration.ofDays(1)));
        ch.blocked = true;
        ch.writeOneOutbound(Unpooled.copiedBuffer("queued\n", StandardCharsets.US_ASCII));
        ch.flushOutbound();
        advance(ch, IDLE.toMillis() + GRID);
        advance(ch, TIMEOUT.toMillis() * 10);
        assertThat(ch.isOpen()).as("the write-stall watchdog's to report, not the heartbeat's").isTrue();
        ch.blocked = false;
        ch.flushOutbound();
        assertThat(probes(ch)).isEqualTo("queued\nPING\r\n");
        advance(ch, TIMEOUT.toMillis() + 2 * GRID);
        assertThat(ch.isOpen()).as("once written, the timeout runs").isFalse();
        ch.finishAndReleaseAll();
    }

    @Test
    void withTheWriteStallWatchdogOffAProbeThatNeverReachesTheSocketIsUnresponsiveAfterItsTimeout() {
        Owner owner = new Owner();
        BlockedChannel ch = new BlockedChannel();
        channel(ch, owner, settings(options().build(), Duration.ZERO));
        ch.blocked = true;
        ch.writeOneOutbound(Unpooled.copiedBuffer("queued\n", StandardCharsets.US_ASCII));
        ch.flushOutbound();
        advance(ch, IDLE.toMillis() + GRID);
        assertThat(ch.isOpen()).as("the probe was asked for, not yet overdue").isTrue();
        advance(ch, TIMEOUT.toMillis() + 2 * GRID);
        assertThat(ch.isOpen()).as("a probe stuck for its whole timeout").isFalse();
        assertThat(owner.ended.cause()).isEqualTo(DisconnectCause.UNRESPONSIVE);
        assertThat(owner.ended.detail()).contains("did not reach the socket within its timeout of 1s");
        assertThat(owner.ended.probeAcknowledged()).isEqualTo(Disconnection.ProbeAcknowledgement.NOT_ACKNOWLEDGED);
        ch.finishAndReleaseAll();
    }
}
