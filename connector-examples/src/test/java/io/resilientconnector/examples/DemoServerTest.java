package io.resilientconnector.examples;

import io.resilientconnector.ConnectorOptions;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoServerTest {

    private static final Duration NEWCOMER_BUDGET = Duration.ofSeconds(45);

    @Test
    void defaultPauseOutlastsTheDefaultReadIdlePeriodWithMargin() {
        DemoServer.Schedule schedule = DemoServer.Schedule.defaults();

        assertThat(schedule.pause())
                .isGreaterThanOrEqualTo(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD.plus(DemoServer.MARGIN));
        assertThat(schedule.lineInterval()).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void defaultScheduleDropsEveryTenToTwentySecondsAfterTheFirstReadIdle() {
        DemoServer.Schedule schedule = DemoServer.Schedule.defaults();

        assertThat(schedule.dropMin()).isEqualTo(Duration.ofSeconds(10));
        assertThat(schedule.dropMax()).isEqualTo(Duration.ofSeconds(20));
        assertThat(schedule.firstReadIdle(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD).plus(DemoServer.MARGIN))
                .isLessThanOrEqualTo(schedule.dropMin());
        // CONNECTED, RECEIVED and READ_IDLE come before the drop; DISCONNECTED and RECONNECTING at it.
        assertThat(schedule.dropMax()).isLessThan(NEWCOMER_BUDGET);
    }

    @Test
    void defaultScheduleAlreadyFitsTheDefaultReadIdlePeriod() {
        assertThat(DemoServer.Schedule.defaults().fitting(ConnectorOptions.DEFAULT_READ_IDLE_PERIOD))
                .isEqualTo(DemoServer.Schedule.defaults());
    }

    @Test
    void stretchesItsPausesAndDropsForALongerReadIdlePeriod() {
        Duration readIdlePeriod = Duration.ofSeconds(30);
        DemoServer.Schedule fitted = DemoServer.Schedule.defaults().fitting(readIdlePeriod);

        assertThat(fitted.pause()).isEqualTo(Duration.ofSeconds(32));
        assertThat(fitted.dropMin()).isEqualTo(Duration.ofSeconds(34));
        assertThat(fitted.dropMax()).isEqualTo(Duration.ofSeconds(44));
        assertThat(fitted.firstReadIdle(readIdlePeriod)).isLessThan(fitted.dropMin());
    }

    @Test
    void keepsItsScheduleWhenReadIdleDetectionIsOff() {
        assertThat(DemoServer.Schedule.defaults().fitting(Duration.ZERO)).isEqualTo(DemoServer.Schedule.defaults());
    }

    @Test
    void rejectsADropWindowThatEndsBeforeItStarts() {
        assertThatThrownBy(() -> new DemoServer.Schedule(Duration.ofSeconds(1), 3, Duration.ofSeconds(7),
                Duration.ofSeconds(20), Duration.ofSeconds(10)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("dropMin <= dropMax");
    }

    @Test
    void sendsLinesPausesEchoesAndDropsWithinTheWindow() throws Exception {
        DemoServer.Schedule schedule = new DemoServer.Schedule(Duration.ofMillis(100), 2, Duration.ofMillis(800),
                Duration.ofMillis(1500), Duration.ofMillis(2000));
        try (DemoServer server = DemoServer.start(0, schedule, new Random(1))) {
            // Taken before the connect, so no delay on this side can make the server look faster than it is.
            long start = System.nanoTime();
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
                socket.setSoTimeout(10_000);
                OutputStream out = socket.getOutputStream();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));

                assertThat(in.readLine()).isEqualTo("demo line 1 on connection 1");
                assertThat(in.readLine()).isEqualTo("demo line 2 on connection 1; now quiet for 800ms");
                out.write("ping\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                assertThat(in.readLine()).isEqualTo("you said: ping");
                assertThat(in.readLine()).isEqualTo("demo line 3 on connection 1");
                // One interval, then the pause.
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(900));

                String line;
                String last = null;
                while ((line = in.readLine()) != null) {
                    last = line;
                }
                Duration up = Duration.ofNanos(System.nanoTime() - start);
                assertThat(last).isEqualTo("dropping connection 1 now");
                assertThat(up).isBetween(Duration.ofMillis(1500), Duration.ofMillis(2000).plusSeconds(5));
            }
        }
    }
}
