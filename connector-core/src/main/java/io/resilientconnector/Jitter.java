package io.resilientconnector;

/**
 * How randomness spreads reconnect attempts, as defined in the AWS Architecture Blog article
 * "Exponential Backoff And Jitter". With {@code cap} the maximum delay and {@code exp} the exponential
 * delay {@code min(cap, initial × multiplier^(attempt-1))}:
 */
public enum Jitter {
    /** {@code exp}: every client retries in lock-step. Use only for a single client or in tests. */
    NONE,
    /** {@code random(0, exp)}: the fewest total attempts and the flattest load under contention. */
    FULL,
    /** {@code exp/2 + random(0, exp/2)}: never shorter than half the exponential delay. */
    EQUAL,
    /**
     * {@code min(cap, random(initial, previous × 3))}: each delay grows from the previous one rather than
     * from the attempt number; the multiplier is not used.
     */
    DECORRELATED,
    /**
     * {@code random(0, exp)} while {@code exp} is below the cap, like {@link #FULL}; once it reaches the cap,
     * the first wait is a random phase, {@code random(0, cap)}, and every later wait is exactly {@code cap}.
     *
     * <p>Why: with {@link #FULL} at the cap, a waiting client retries after {@code random(0, cap)}, on average
     * every {@code cap / 2}; and when a server comes back, the clients waiting on it arrive at a falling rate,
     * whose peak is about twice its mean. With a phase drawn once and a period of exactly {@code cap}, every
     * client retries once per {@code cap} at its own random offset: N clients arrive uniformly over any window
     * of length {@code cap}, at N / cap a second. After a restart, all are back within {@code cap} at a flat
     * rate (peak = mean), and while the server is down they make half the attempts {@code FULL} makes.
     */
    PHASED
}
