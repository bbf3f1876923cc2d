package io.resilientconnector.internal.reconnect;

import io.resilientconnector.ReconnectPolicy;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * The attempt counter behind one logical connection. It is told when a connection comes up and goes
 * down, with the time passed in, and answers with the next delay or with "give up". It schedules nothing.
 *
 * <p>Not thread-safe: callers confine it to one thread or guard it.
 */
public final class BackoffState {

    private final ReconnectPolicy policy;
    private final Random random;

    private int failedAttempts;
    private Duration previousDelay;
    private long connectedAtNanos;
    private boolean connected;

    public BackoffState(ReconnectPolicy policy, Random random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A connection came up at {@code nanoTime}. */
    public void connected(long nanoTime) {
        connected = true;
        connectedAtNanos = nanoTime;
    }

    /**
     * A connection went down, or an attempt failed, at {@code nanoTime}. If the connection had stayed up
     * for the stable period, the backoff starts over.
     */
    public void disconnected(long nanoTime) {
        if (connected && nanoTime - connectedAtNanos >= policy.stablePeriod().toNanos()) {
            reset();
        }
        connected = false;
    }

    /** Starts the backoff over, as after a stable connection. */
    public void reset() {
        failedAttempts = 0;
        previousDelay = null;
    }

    /**
     * Counts one more attempt and returns the delay before it, or {@code null} when the policy says to give
     * up (reconnect disabled, or the maximum number of attempts reached).
     */
    public Duration nextDelay() {
        if (!policy.enabled() || policy.maxAttempts() > 0 && failedAttempts >= policy.maxAttempts()) {
            return null;
        }
        failedAttempts++;
        previousDelay = BackoffDelays.delay(policy, failedAttempts, previousDelay, random);
        return previousDelay;
    }

    /** The number of the attempt the last {@link #nextDelay()} scheduled, starting at 1. */
    public int attempt() {
        return failedAttempts;
    }
}
