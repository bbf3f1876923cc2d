package io.resilientconnector;

import java.time.Duration;
import java.util.Objects;

/**
 * Bytes the kernel had accepted from this side (so their send futures had completed) that the peer had
 * not acknowledged when the connection ended. A byte stream cannot tell which messages they belonged to,
 * so they cannot be resent; report them, or acknowledge at the application level.
 *
 * <p>After TIMED_OUT or RESET the kernel has dropped them. After a close from this side (STALLED,
 * READ_IDLE, LOCAL_CLOSE) it keeps trying to deliver them in the background for a while.
 *
 * <p>It comes from Linux's TCP_INFO on epoll and io_uring, and from {@code /proc/net/tcp} for NIO on Linux
 * (the byte count only), sampled while the socket was still open: at the error or the close where the
 * transport passes one through the pipeline, at the peer's FIN on epoll and NIO (io_uring closes the
 * socket before it tells the pipeline), otherwise at the write-progress watchdog's last check while
 * writes were waiting. {@link #age()} says how long before the end the sample was taken. {@code /proc}
 * no longer lists a connection the kernel has ended, so on NIO a timeout or a reset keeps the watchdog's
 * last sample, if any. Where there is no source (kqueue, NIO elsewhere) or no sample, it is
 * {@linkplain #known() unknown} and says why.
 *
 * @param bytes          accepted by the kernel and not acknowledged (in flight plus never sent), or {@code -1} if
 *                       {@linkplain #known() unknown}
 * @param notSentBytes   of {@code bytes}, those never sent at all, or {@code -1} if unknown or not reported
 * @param segments       segments sent and in flight, or {@code -1} if unknown (the kernel discards them when it
 *                       gives up) or not reported
 * @param age            how long before the end the sample was taken, or {@code null} if unknown
 * @param unknownBecause why it is unknown, or {@code null} if it is known
 */
public record Unacknowledged(long bytes, long notSentBytes, long segments, Duration age, String unknownBecause) {

    /**
     * @throws IllegalArgumentException if a sample is impossible ({@code notSentBytes > bytes}, a negative age), or
     *                                  an unknown one carries sample fields
     */
    public Unacknowledged {
        if (unknownBecause == null) {
            if (bytes < 0 || notSentBytes < -1 || notSentBytes > bytes || segments < -1) {
                throw new IllegalArgumentException("unacknowledged: bytes " + bytes + ", notSentBytes " + notSentBytes
                        + ", segments " + segments + " (expected: -1 <= notSentBytes <= bytes, segments >= -1)");
            }
            if (Objects.requireNonNull(age, "age").isNegative()) {
                throw new IllegalArgumentException("age: " + age + " (expected: >= 0)");
            }
        } else if (bytes != -1 || notSentBytes != -1 || segments != -1 || age != null) {
            throw new IllegalArgumentException("unacknowledged: unknown (" + unknownBecause
                    + ") with a sample (expected: bytes, notSentBytes and segments -1, age null)");
        }
    }

    /** Not known, because {@code reason}, for example "nio has no TCP_INFO". */
    public static Unacknowledged unknown(String reason) {
        return new Unacknowledged(-1, -1, -1, null, Objects.requireNonNull(reason, "reason"));
    }

    public boolean known() {
        return unknownBecause == null;
    }

    /** For example {@code 5000 bytes (2 segments in flight, 2104 bytes never sent; sampled at the end)}. */
    @Override
    public String toString() {
        if (!known()) {
            return "unknown (" + unknownBecause + ")";
        }
        StringBuilder s = new StringBuilder().append(bytes).append(" bytes (");
        if (segments >= 0) {
            s.append(segments).append(segments == 1 ? " segment" : " segments").append(" in flight, ");
        }
        if (notSentBytes >= 0) {
            s.append(notSentBytes).append(" bytes never sent; ");
        }
        s.append("sampled ");
        long millis = age.toMillis();
        s.append(millis == 0 ? "at the end" : millis + "ms before the end");
        return s.append(')').toString();
    }
}
