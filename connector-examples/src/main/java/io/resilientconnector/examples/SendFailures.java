package io.resilientconnector.examples;

import io.resilientconnector.SendRejectedException;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * The {@code SEND_FAILED} lines, bounded however much is typed or piped in while the connector cannot take it.
 * The first rejection of a kind is printed at once; those that follow within {@link #WINDOW} are counted into the
 * next line of that kind, printed when the window has passed (by the next rejection, or by {@link #flushDue},
 * which the program calls every window), or at exit by {@link #flushAll}. Every rejection is counted in exactly
 * one line, so none is lost silently. Each line shows a preview of the last rejected line, at most
 * {@link #PREVIEW_CHARS} escaped characters: a 10 MB line cannot become a 10 MB output line.
 *
 * <pre>
 * SEND_FAILED reason=BUFFER_FULL count=10234 bytes=30801234 last="the line\x07" error="pending-send buffer full: ..."
 * </pre>
 */
final class SendFailures {

    /** At most one line per kind of rejection in this long. */
    static final Duration WINDOW = Duration.ofSeconds(1);
    /** The most characters of a rejected line shown, after escaping. */
    static final int PREVIEW_CHARS = 80;

    private final Consumer<String> out;
    private final LongSupplier nanoTime;
    private final long maxPendingBytes;
    private final Map<String, Tally> tallies = new LinkedHashMap<>();

    /**
     * @param out             prints one line
     * @param nanoTime        the clock, as {@link System#nanoTime()}
     * @param maxPendingBytes the connector's byte limit, to tell a line too large to ever wait from a full buffer
     */
    SendFailures(Consumer<String> out, LongSupplier nanoTime, long maxPendingBytes) {
        this.out = out;
        this.nanoTime = nanoTime;
        this.maxPendingBytes = maxPendingBytes;
    }

    /**
     * A line that will not reach the socket. {@code cause} is what the send future failed with, as it is: a
     * listener on that future itself, not on a stage derived from it, never sees a CompletionException.
     *
     * @param bytes the size of the message sent for {@code line}
     */
    synchronized void rejected(String line, long bytes, Throwable cause) {
        String reason;
        String error;
        if (cause instanceof SendRejectedException) {
            SendRejectedException rejected = (SendRejectedException) cause;
            reason = rejected.reason().name();
            // By size, not by the message's wording: a line over the limit is rejected whatever waits before it.
            error = rejected.reason() == SendRejectedException.Reason.BUFFER_FULL && bytes > maxPendingBytes
                    ? "a line of " + bytes + " bytes is larger than " + Flags.MAX_PENDING_BYTES.name() + " "
                            + maxPendingBytes + ", so it can never wait for a connection"
                    : Flags.restate(UsageErrors.oneLine(String.valueOf(rejected.getMessage())));
        } else {
            reason = "WRITE_FAILED";
            error = Text.error(cause);
        }
        // Too large and buffer full are told apart, so a burst of one does not hide the other.
        boolean tooLarge = bytes > maxPendingBytes;
        Tally tally = tallies.computeIfAbsent(reason + (tooLarge ? "/too-large" : ""), k -> new Tally(reason));
        tally.add(line, bytes, error);
        long now = nanoTime.getAsLong();
        if (!tally.printedOnce || now - tally.printedAt >= WINDOW.toNanos()) {
            print(tally, now);
        }
    }

    /** Prints every count whose window has passed. */
    synchronized void flushDue() {
        long now = nanoTime.getAsLong();
        for (Tally tally : tallies.values()) {
            if (tally.count > 0 && now - tally.printedAt >= WINDOW.toNanos()) {
                print(tally, now);
            }
        }
    }

    /** Prints every count not yet printed, window or not: at exit. */
    synchronized void flushAll() {
        long now = nanoTime.getAsLong();
        for (Tally tally : tallies.values()) {
            if (tally.count > 0) {
                print(tally, now);
            }
        }
    }

    private void print(Tally tally, long now) {
        StringBuilder line = new StringBuilder("SEND_FAILED reason=").append(tally.reason)
                .append(" count=").append(tally.count)
                .append(" bytes=").append(tally.bytes)
                .append(" last=\"").append(tally.lastPreview).append('"');
        if (tally.lastCut) {
            line.append(" last_bytes=").append(tally.lastBytes);
        }
        line.append(" error=\"").append(Text.escape(tally.lastError)).append('"');
        tally.count = 0;
        tally.bytes = 0;
        tally.printedOnce = true;
        tally.printedAt = now;
        out.accept(line.toString());
    }

    /**
     * Up to {@link #PREVIEW_CHARS} characters of {@code line}, escaped, then {@code …} if cut; the escape of a
     * character is never split. Only what is shown is escaped, so a huge line costs no more than a short one.
     */
    static String preview(String line) {
        StringBuilder out = new StringBuilder(PREVIEW_CHARS + 8);
        for (int i = 0; i < line.length(); i++) {
            String escaped = Text.escape(line.substring(i, i + 1));
            if (out.length() + escaped.length() > PREVIEW_CHARS) {
                return out.append('\u2026').toString();
            }
            out.append(escaped);
        }
        return out.toString();
    }

    /** The rejections of one kind not yet printed, and the last of them. */
    private static final class Tally {
        final String reason;
        long count;
        long bytes;
        String lastPreview;
        boolean lastCut;
        long lastBytes;
        String lastError;
        boolean printedOnce;
        long printedAt;

        Tally(String reason) {
            this.reason = reason;
        }

        void add(String line, long size, String error) {
            count++;
            bytes += size;
            lastPreview = preview(line);
            lastCut = lastPreview.endsWith("\u2026");
            lastBytes = size;
            lastError = error;
        }
    }
}
