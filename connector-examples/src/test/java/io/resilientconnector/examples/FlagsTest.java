package io.resilientconnector.examples;

import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.Endpoint;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.InvalidOptionException;
import io.resilientconnector.ProxyOptions;
import io.resilientconnector.ReconnectPolicy;
import io.resilientconnector.transport.KeepAliveOptions;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/** The flag table: each flag names the option its builder really reports, and only whole names are restated. */
class FlagsTest {

    static Stream<Arguments> builderComplaints() {
        Duration bad = Duration.ofMillis(1);
        return Stream.of(
                arguments(Flags.HOST, (ThrowingCallable) () -> Endpoint.of(" ", 1)),
                arguments(Flags.PORT, (ThrowingCallable) () -> Endpoint.of("h", 0)),
                arguments(Flags.ENDPOINTS, (ThrowingCallable) () -> ConnectorOptions.builder().endpoints(List.of())),
                arguments(Flags.ATTEMPT_DELAY, (ThrowingCallable) () -> ConnectorOptions.builder().attemptDelay(bad)),
                arguments(Flags.FAILBACK_AFTER, (ThrowingCallable) () -> ConnectorOptions.builder().failbackAfter(bad)),
                arguments(Flags.KEEPALIVE_IDLE, (ThrowingCallable) () -> KeepAliveOptions.builder().idle(bad)),
                arguments(Flags.KEEPALIVE_INTERVAL, (ThrowingCallable) () -> KeepAliveOptions.builder().interval(bad)),
                arguments(Flags.KEEPALIVE_COUNT, (ThrowingCallable) () -> KeepAliveOptions.builder().count(0)),
                arguments(Flags.USER_TIMEOUT, (ThrowingCallable) () -> KeepAliveOptions.builder().userTimeout(Duration.ofNanos(5))),
                arguments(Flags.READ_IDLE, (ThrowingCallable) () -> ConnectorOptions.builder().readIdlePeriod(Duration.ofDays(2))),
                arguments(Flags.READ_IDLE_CLOSE_AFTER, (ThrowingCallable) () -> ConnectorOptions.builder().readIdleCloseAfter(-1)),
                arguments(Flags.CONNECT_TIMEOUT, (ThrowingCallable) () -> ConnectorOptions.builder().connectTimeout(Duration.ZERO)),
                arguments(Flags.MAX_PENDING_MESSAGES, (ThrowingCallable) () -> ConnectorOptions.builder().maxPendingMessages(-1)),
                arguments(Flags.MAX_PENDING_BYTES, (ThrowingCallable) () -> ConnectorOptions.builder().maxPendingBytes(-1)),
                arguments(Flags.WRITE_STALL_TIMEOUT, (ThrowingCallable) () -> ConnectorOptions.builder().writeStallTimeout(bad)),
                arguments(Flags.BACKOFF_INITIAL, (ThrowingCallable) () -> ReconnectPolicy.builder().initialDelay(Duration.ZERO)),
                arguments(Flags.BACKOFF_MAX, (ThrowingCallable) () -> ReconnectPolicy.builder().maxDelay(Duration.ZERO)),
                arguments(Flags.MAX_ATTEMPTS, (ThrowingCallable) () -> ReconnectPolicy.builder().maxAttempts(-1)),
                arguments(Flags.HEARTBEAT, (ThrowingCallable) () -> HeartbeatOptions.builder().probe(new byte[0])),
                arguments(Flags.HEARTBEAT_IDLE, (ThrowingCallable) () -> HeartbeatOptions.builder().idle(bad)),
                arguments(Flags.HEARTBEAT_TIMEOUT, (ThrowingCallable) () -> HeartbeatOptions.builder().timeout(bad)),
                arguments(Flags.PROXY, (ThrowingCallable) () -> ProxyOptions.parse("ftp://h:1")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("builderComplaints")
    void namesTheFlagFromTheOptionItsBuilderReports(Flag<?> flag, ThrowingCallable badValue) {
        InvalidOptionException e = catchThrowableOfType(InvalidOptionException.class, badValue);

        assertThat(e).as("the builder's complaint").isNotNull();
        assertThat(e.option()).isEqualTo(flag.option());
        assertThat(Flags.flagFor(e.option())).isEqualTo(flag.name());
    }

    @Test
    void everyBuilderOptionIsSetByOneFlagAtMost() {
        List<String> options = Flags.all().stream().map(Flag::option).filter(Objects::nonNull).toList();

        assertThat(options).doesNotHaveDuplicates();
        assertThat(Flags.all()).extracting(Flag::name).doesNotHaveDuplicates();
    }

    @Test
    void keepsTheBuilderNameOfAnOptionNoFlagSets() {
        assertThat(Flags.flagFor("reconnect.stablePeriod")).isEqualTo("reconnect.stablePeriod");
    }

    @Test
    void restatesWholeOptionNamesAndLeavesOtherWords() {
        assertThat(Flags.restate("readIdleCloseAfter: 3 needs read-idle detection, but readIdlePeriod is 0 "
                + "(expected: readIdlePeriod > 0, or readIdleCloseAfter 0)"))
                .isEqualTo("--read-idle-close-after: 3 needs read-idle detection, but --read-idle is 0 "
                        + "(expected: --read-idle > 0, or --read-idle-close-after 0)");
        assertThat(Flags.restate("failbackAfter: 5s needs endpointOrder ORDERED, but it is SHUFFLE"))
                .isEqualTo("--failback-after: 5s needs --order ORDERED, but it is SHUFFLE");
        assertThat(Flags.restate("longer than reconnect.maxDelay.")).isEqualTo("longer than --backoff-max.");
        assertThat(Flags.restate("keepAlive.countdown and hostname")).isEqualTo("keepAlive.countdown and hostname");
    }
}
