package io.resilientconnector.internal.reconnect;

import io.resilientconnector.ReconnectPolicy;

import java.time.Duration;
import java.util.Objects;
import java.util.Random;

/**
 * The attempt counter behind one logical connection. It is told when an attempt (a connect pass) starts, and when
 * a connection comes up and goes down, with the time passed in, and answers with the next delay or with "give up".
 * It schedules nothing.
 *
 * <p>It counts the passes made since the start, or since the loss of a connection that stayed up for the stable
 * period: the first pass from start is attempt 1, and so is the first pass after such a loss. A connection that
 * drops sooner does not start the count over, so the pass that made it counts too. With
 * {@link ReconnectPolicy#maxAttempts()} {@code n}, the {@code n}th failed pass gives up.
 *
 * <p>Not thread-safe: callers confine it to one thread or guard it.
 */
public final class BackoffState {

    private final ReconnectPolicy policy;
    private final Random random;

    /** Passes started since the start or the last reset. */
    private int attempts;
    /** Delays computed since the last reset: the backoff's exponent. */
    private int retries;
    private Duration previousDelay;
    private long connectedAtNanos;
    private boolean connected;

    public BackoffState(ReconnectPolicy policy, Random random) {
        this.policy = Objects.requireNonNull(policy, "policy");
        this.random = Objects.requireNonNull(random, "random");
    }

    /** A pass starts: the first, or the one a delay was computed for. */
    public void attemptStarted() {
        attempts++;
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
        attempts = 0;
        retries = 0;
        previousDelay = null;
    }

    /**
     * Returns the delay before the next attempt, number {@link #attempts()} + 1, or {@code null} when the policy
     * says to give up: reconnect disabled, or {@link ReconnectPolicy#maxAttempts()} passes made.
     */
    public Duration nextDelay() {
        if (!policy.enabled() || policy.maxAttempts() > 0 && attempts >= policy.maxAttempts()) {
            return null;
        }
        retries++;
        previousDelay = BackoffDelays.delay(policy, retries, previousDelay, random);
        return previousDelay;
    }

    /** The passes started since the start, or since the loss of a stable connection. */
    public int attempts() {
        return attempts;
    }
}
