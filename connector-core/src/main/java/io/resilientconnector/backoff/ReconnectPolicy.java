package io.resilientconnector.backoff;

import io.resilientconnector.internal.Checks;
import io.resilientconnector.internal.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * When to try again: the {@link Backoff}, how many attempts to make, and how long a connection must stay up
 * before the backoff starts over.
 */
public final class ReconnectPolicy {

    /** Defaults to 0, which means no limit: the connector retries until it is closed. */
    public static final int DEFAULT_MAX_ATTEMPTS = 0;
    /**
     * Defaults to 10 seconds. A connection that drops sooner than this counts as a failed attempt, so a
     * server that accepts and then drops at once cannot drive the client into a tight loop.
     */
    public static final Duration DEFAULT_STABLE_PERIOD = Duration.ofSeconds(10);

    private static final ReconnectPolicy DEFAULTS = builder().build();

    private final boolean enabled;
    private final Backoff backoff;
    private final int maxAttempts;
    private final Duration stablePeriod;

    private ReconnectPolicy(Builder b) {
        this.enabled = b.enabled;
        this.backoff = b.backoff;
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
        return new Builder().enabled(enabled).backoff(backoff).maxAttempts(maxAttempts).stablePeriod(stablePeriod);
    }

    /** Whether to reconnect at all. Defaults to {@code true}. */
    public boolean enabled() {
        return enabled;
    }

    public Backoff backoff() {
        return backoff;
    }

    /** The most consecutive failed attempts before giving up, or 0 for no limit. */
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
        return enabled == that.enabled && maxAttempts == that.maxAttempts && backoff.equals(that.backoff)
                && stablePeriod.equals(that.stablePeriod);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, backoff, maxAttempts, stablePeriod);
    }

    @Override
    public String toString() {
        return "ReconnectPolicy{enabled=" + enabled + ", backoff=" + backoff + ", maxAttempts="
                + (maxAttempts == 0 ? "unlimited" : String.valueOf(maxAttempts))
                + ", stablePeriod=" + Durations.format(stablePeriod) + '}';
    }

    public static final class Builder {
        private boolean enabled = true;
        private Backoff backoff = Backoff.defaults();
        private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
        private Duration stablePeriod = DEFAULT_STABLE_PERIOD;

        private Builder() {
        }

        /** Set to {@code false} to stay disconnected after the first loss. Defaults to {@code true}. */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        public Builder backoff(Backoff backoff) {
            this.backoff = Checks.notNull(backoff, "backoff");
            return this;
        }

        /**
         * The most consecutive failed attempts before giving up. Defaults to {@link #DEFAULT_MAX_ATTEMPTS};
         * 0 disables the limit.
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
            this.stablePeriod = Checks.zeroOrPositive(stablePeriod, Backoff.MAX_DELAY, "reconnect.stablePeriod");
            return this;
        }

        public ReconnectPolicy build() {
            return new ReconnectPolicy(this);
        }
    }
}
