package io.resilientconnector.transport;

import io.resilientconnector.util.Checks;
import io.resilientconnector.util.Durations;

import java.time.Duration;
import java.util.Objects;

/**
 * TCP keepalive and TCP_USER_TIMEOUT: how the kernel finds out that the peer is gone.
 *
 * <p>On an idle connection the kernel sends the first probe after {@link #idle()} without traffic, then one
 * every {@link #interval()}, and gives up after {@link #count()} unanswered probes. On a connection with
 * unacknowledged data keepalive never fires; {@link #userTimeout()} bounds that case instead.
 *
 * <p>Turning keepalive off ({@code enabled(false)}) also turns off the user timeout derived from it; a user
 * timeout set explicitly with {@link Builder#userTimeout(Duration)} still applies.
 */
public final class KeepAliveOptions {

    /** Defaults to 60 seconds: a dead idle peer is noticed within two minutes with the other defaults. */
    public static final Duration DEFAULT_IDLE = Duration.ofSeconds(60);
    /** Defaults to 15 seconds. */
    public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(15);
    /** Defaults to 4 probes. */
    public static final int DEFAULT_COUNT = 4;

    /** Linux limits TCP_KEEPIDLE and TCP_KEEPINTVL to 1..32767 seconds (MAX_TCP_KEEPIDLE, MAX_TCP_KEEPINTVL). */
    public static final int MAX_SECONDS = 32767;
    /** Linux limits TCP_KEEPCNT to 1..127 (MAX_TCP_KEEPCNT). */
    public static final int MAX_COUNT = 127;

    /** TCP_USER_TIMEOUT is an int of milliseconds. */
    public static final Duration MAX_USER_TIMEOUT = Duration.ofMillis(Integer.MAX_VALUE);

    private static final KeepAliveOptions DEFAULTS = builder().build();

    private final boolean enabled;
    private final Duration idle;
    private final Duration interval;
    private final int count;
    /** {@code null} means derived from idle, interval and count; zero means disabled. */
    private final Duration userTimeout;

    private KeepAliveOptions(Builder b) {
        this.enabled = b.enabled;
        this.idle = b.idle;
        this.interval = b.interval;
        this.count = b.count;
        this.userTimeout = b.userTimeout;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static KeepAliveOptions defaults() {
        return DEFAULTS;
    }

    public Builder toBuilder() {
        Builder b = new Builder().enabled(enabled).idle(idle).interval(interval).count(count);
        b.userTimeout = userTimeout;
        return b;
    }

    /**
     * Whether SO_KEEPALIVE is set. Defaults to {@code true}. When {@code false}, the derived user timeout is
     * off too; see {@link #userTimeout()}.
     */
    public boolean enabled() {
        return enabled;
    }

    public Duration idle() {
        return idle;
    }

    public Duration interval() {
        return interval;
    }

    public int count() {
        return count;
    }

    /** Whether the user timeout is left to be derived from idle, interval and count. */
    public boolean userTimeoutDerived() {
        return userTimeout == null;
    }

    /**
     * The TCP_USER_TIMEOUT to apply, or {@link Duration#ZERO} when it is disabled. Unless set explicitly it is
     * {@code idle + interval × count}, so that a busy link is given up on as soon as an idle one would be; with
     * keepalive off there is no idle bound to match, so the derived value is {@link Duration#ZERO}. A value
     * set explicitly applies whether keepalive is on or off.
     */
    public Duration userTimeout() {
        if (userTimeout != null) {
            return userTimeout;
        }
        if (!enabled) {
            return Duration.ZERO;
        }
        Duration derived = idle.plus(interval.multipliedBy(count));
        // The kernel takes an int of milliseconds; the largest idle, interval and count exceed it.
        return derived.compareTo(MAX_USER_TIMEOUT) > 0 ? MAX_USER_TIMEOUT : derived;
    }

    /**
     * The longest the kernel takes to declare an idle peer dead, counted from the last segment received:
     * {@code idle + interval × count}, or, with a user timeout, the first probe tick at or after it.
     * Linux checks the user timeout only when a probe timer fires and only once a probe is outstanding.
     */
    public Duration idleDetectionBound(boolean userTimeoutApplied) {
        Duration ut = userTimeout();
        if (!userTimeoutApplied || ut.isZero()) {
            return idle.plus(interval.multipliedBy(count));
        }
        long beyondIdle = ut.minus(idle).toNanos();
        long ticks = Math.max(1, (beyondIdle + interval.toNanos() - 1) / interval.toNanos());
        return idle.plus(interval.multipliedBy(ticks));
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof KeepAliveOptions)) {
            return false;
        }
        KeepAliveOptions that = (KeepAliveOptions) o;
        return enabled == that.enabled && count == that.count && idle.equals(that.idle)
                && interval.equals(that.interval) && Objects.equals(userTimeout, that.userTimeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, idle, interval, count, userTimeout);
    }

    @Override
    public String toString() {
        return "KeepAliveOptions{enabled=" + enabled + ", idle=" + Durations.format(idle)
                + ", interval=" + Durations.format(interval) + ", count=" + count + ", userTimeout="
                + (userTimeout == null ? (enabled ? "derived(" + Durations.format(userTimeout()) + ")" : "derived(disabled)")
                        : userTimeout.isZero() ? "disabled" : Durations.format(userTimeout)) + '}';
    }

    public static final class Builder {
        private boolean enabled = true;
        private Duration idle = DEFAULT_IDLE;
        private Duration interval = DEFAULT_INTERVAL;
        private int count = DEFAULT_COUNT;
        private Duration userTimeout;

        private Builder() {
        }

        /**
         * Set to {@code false} to leave SO_KEEPALIVE off, which also turns off the derived user timeout (an
         * explicit {@link #userTimeout(Duration)} still applies). Defaults to {@code true}.
         */
        public Builder enabled(boolean enabled) {
            this.enabled = enabled;
            return this;
        }

        /** TCP_KEEPIDLE, in whole seconds from 1 to 32767. Defaults to {@link #DEFAULT_IDLE}. */
        public Builder idle(Duration idle) {
            Checks.wholeSeconds(idle, 1, MAX_SECONDS, "keepAlive.idle");
            this.idle = idle;
            return this;
        }

        /** TCP_KEEPINTVL, in whole seconds from 1 to 32767. Defaults to {@link #DEFAULT_INTERVAL}. */
        public Builder interval(Duration interval) {
            Checks.wholeSeconds(interval, 1, MAX_SECONDS, "keepAlive.interval");
            this.interval = interval;
            return this;
        }

        /** TCP_KEEPCNT, from 1 to 127. Defaults to {@link #DEFAULT_COUNT}. */
        public Builder count(int count) {
            this.count = Checks.inRange(count, 1, MAX_COUNT, "keepAlive.count");
            return this;
        }

        /**
         * TCP_USER_TIMEOUT, in whole milliseconds; {@link Duration#ZERO} disables it. Applied on the Linux
         * native transports only, whether keepalive is enabled or not. Defaults to {@code idle + interval × count}
         * with keepalive enabled, and to off with keepalive disabled.
         */
        public Builder userTimeout(Duration userTimeout) {
            this.userTimeout = Checks.wholeMillis(userTimeout, "keepAlive.userTimeout");
            return this;
        }

        /** Derives the user timeout from idle, interval and count again (the default). */
        public Builder derivedUserTimeout() {
            this.userTimeout = null;
            return this;
        }

        public KeepAliveOptions build() {
            return new KeepAliveOptions(this);
        }
    }
}
