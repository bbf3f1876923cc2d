package io.resilientconnector.backoff;

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
    DECORRELATED
}
