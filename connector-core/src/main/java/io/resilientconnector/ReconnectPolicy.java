package io.resilientconnector;

import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * When to try again: exponential backoff with {@link Jitter}, how many attempts to make, and how long a
 * connection must stay up before the backoff starts over.
 *
 * <p>The delay before attempt {@code n} (1 for the first retry) grows from {@link #initialDelay()} by
 * {@link #multiplier()} each attempt, up to {@link #maxDelay()}, and {@link #jitter()} spreads it.
 */
public final class ReconnectPolicy {

    /** Defaults to 1 second. */
    public static final Duration DEFAULT_INITIAL_DELAY = Duration.ofSeconds(1);
    /** Defaults to 2. */
    public static final double DEFAULT_MULTIPLIER = 2.0;
    /** Defaults to 30 seconds. */
    public static final Duration DEFAULT_MAX_DELAY = Duration.ofSeconds(30);
    /** Defaults to {@link Jitter#PHASED}: a flat reconnect storm. */
    public static final Jitter DEFAULT_JITTER = Jitter.PHASED;
    /** Defaults to 0, which means no limit: the connector retries until it is closed. */
    public static final int DEFAULT_MAX_ATTEMPTS = 0;
    /**
     * Defaults to 10 seconds. A connection that drops sooner than this counts as a failed attempt, so a
     * server that accepts and then drops at once cannot drive the client into a tight loop.
     */
    public static final Duration DEFAULT_STABLE_PERIOD = Duration.ofSeconds(10);

    /** The longest that either delay bound, or the stable period, may be set to: one day. */
    public static final Duration DELAY_LIMIT = Duration.ofDays(1);

    private static final ReconnectPolicy DEFAULTS = builder().build();

    private final boolean enabled;
    private final Duration initialDelay;
    private final double multiplier;
    private final Duration maxDelay;
    private final Jitter jitter;
    private final int maxAttempts;
    private final Duration stablePeriod;

    private ReconnectPolicy(Builder b) {
        this.enabled = b.enabled;
        this.initialDelay = b.initialDelay;
        this.multiplier = b.multiplier;
        this.maxDelay = b.maxDelay;
        this.jitter = b.jitter;
        this.maxAttempts = b.maxAttempts;
        this.stablePeriod = b.stablePeriod;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static ReconnectPolicy defaults() {
        return DEFAULTS;
    }

    public Builder toBuilder() {
        return new Builder().enabled(enabled).initialDelay(initialDelay).multiplier(multiplier).maxDelay(maxDelay)
                .jitter(jitter).maxAttempts(maxAttempts).stablePeriod(stablePeriod);
    }

    /** Whether to reconnect at all. Defaults to {@code true}. */
    public boolean enabled() {
        return enabled;
    }

    /** The delay before the first retry, before jitter. */
    public Duration initialDelay() {
        return initialDelay;
    }

    /** How much each delay grows over the previous one. */
    public double multiplier() {
        return multiplier;
    }

    /** The longest delay. */
    public Duration maxDelay() {
        return maxDelay;
    }

    /** How randomness spreads the delays. */
    public Jitter jitter() {
        return jitter;
    }

    /**
     * The most attempts in a row before giving up, the first included, or 0 for no limit; see
     * {@link Builder#maxAttempts(int)}.
     */
    public int maxAttempts() {
        return maxAttempts;
    }

    public Duration stablePeriod() {
        return stablePeriod;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ReconnectPolicy)) {
            return false;
        }
        ReconnectPolicy that = (ReconnectPolicy) o;
        return enabled == that.enabled && Double.compare(multiplier, that.multiplier) == 0
                && initialDelay.equals(that.initialDelay) && maxDelay.equals(that.maxDelay) && jitter == that.jitter
                && maxAttempts == that.maxAttempts && stablePeriod.equals(that.stablePeriod);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, initialDelay, multiplier, maxDelay, jitter, maxAttempts, stablePeriod);
    }

    @Override
    public String toString() {
        return "ReconnectPolicy{enabled=" + enabled + ", initialDelay=" + Durations.format(initialDelay)
                + ", multiplier=" + multiplier + ", maxDelay=" + Durations.format(maxDelay) + ", jitter=" + jitter
                + ", maxAttempts=" + (maxAttempts == 0 ? "unlimited" : String.valueOf(maxAttempts))
                + ", stablePeriod=" + Durations.format(stablePeriod) + '}';
    }

    public static final class Builder {
        private boolean enabled = true;
        private Duration initialDelay = DEFAULT_INITIAL_DELAY;
        private double multiplier = DEFAULT_MULTIPLIER;
        private Duration maxDelay = DEFAULT_MAX_DELAY;
        private Jitter jitter = DEFAULT_JITTER;
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration stablePeriod = DEFAULT_STABLE_PERIOD;

        private Builder() {
        }

        /** Set to {@code false} to stay disconnected after the first loss. Defaults to {@code true}. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /**
         * The delay before the first retry, before jitter: more than 0, at most {@link #DELAY_LIMIT}.
         * Defaults to {@link #DEFAULT_INITIAL_DELAY}.
         */
        public Builder initialDelay(Duration initialDelay) {
            this.initialDelay = Checks.positive(initialDelay, DELAY_LIMIT, "reconnect.initialDelay");
            return this;
        }

        /**
         * How much each delay grows over the previous one: at least 1, where 1 retries at a fixed delay.
         * Defaults to {@link #DEFAULT_MULTIPLIER}.
         */
        public Builder multiplier(double multiplier) {
            this.multiplier = Checks.atLeast(multiplier, 1.0, "reconnect.multiplier");
            return this;
        }

        /**
         * The longest delay: more than 0, at most {@link #DELAY_LIMIT}, and not shorter than the initial delay.
         * Defaults to {@link #DEFAULT_MAX_DELAY}.
         */
        public Builder maxDelay(Duration maxDelay) {
            this.maxDelay = Checks.positive(maxDelay, DELAY_LIMIT, "reconnect.maxDelay");
            return this;
        }

        /** Defaults to {@link #DEFAULT_JITTER}. */
        public Builder jitter(Jitter jitter) {
            this.jitter = Checks.notNull(jitter, "reconnect.jitter");
            return this;
        }

        /**
         * The most attempts in a row before giving up: 0 or more, where 0 means no limit. An attempt is one connect
         * pass across every address of every endpoint. The count starts at the first attempt after
         * {@code start()}, and again at the first reconnect after the loss of a connection that stayed up for the
         * {@linkplain #stablePeriod(Duration) stable period}; the first attempt counts, as Failsafe's
         * {@code maxAttempts} counts the first execution. A connection that drops sooner does not start the count
         * over: the attempt that made it counts. So {@code maxAttempts(1)} makes one attempt from start, and one
         * reconnect after a stable connection is lost, then gives up; {@code ConnectorListener.gaveUp} is told
         * the number of attempts made. Defaults to {@link #DEFAULT_MAX_ATTEMPTS}.
         */
        public Builder maxAttempts(int maxAttempts) {
            this.maxAttempts = Checks.inRange(maxAttempts, 0, Integer.MAX_VALUE, "reconnect.maxAttempts");
            return this;
        }

        /**
         * How long a connection must stay up before the next loss starts the backoff over.
         * Defaults to {@link #DEFAULT_STABLE_PERIOD}; 0 resets on every successful connect.
         */
        public Builder stablePeriod(Duration stablePeriod) {
            this.stablePeriod = Checks.zeroOrPositive(stablePeriod, DELAY_LIMIT, "reconnect.stablePeriod");
            return this;
        }

        /** @throws IllegalStateException if the initial delay is longer than the maximum delay */
        public ReconnectPolicy build() {
            Checks.state(initialDelay.compareTo(maxDelay) <= 0, "reconnect.initialDelay: " + Durations.format(initialDelay)
                    + " is longer than reconnect.maxDelay: " + Durations.format(maxDelay)
                    + " (expected: initialDelay <= maxDelay)");
            return new ReconnectPolicy(this);
        }
    }
}
