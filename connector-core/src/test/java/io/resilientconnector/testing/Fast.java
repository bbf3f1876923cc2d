package io.resilientconnector.testing;

import io.resilientconnector.Jitter;
import io.resilientconnector.ReconnectPolicy;

import java.time.Duration;

/** Timings for tests against loopback, where everything is quick unless it is broken. */
public final class Fast {

    /** Reconnects after 50 ms, backing off to 200 ms, without jitter, so that a test sees every attempt soon. */
    public static final ReconnectPolicy RECONNECT = ReconnectPolicy.builder()
            .initialDelay(Duration.ofMillis(50)).maxDelay(Duration.ofMillis(200)).jitter(Jitter.NONE)
            .build();

    /** How long a test waits for something that takes milliseconds on loopback, with room for a busy CI machine. */
    public static final Duration WAIT = Duration.ofSeconds(10);

    private Fast() {
    }
}
