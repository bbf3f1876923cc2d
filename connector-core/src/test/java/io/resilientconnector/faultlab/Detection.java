package io.resilientconnector.faultlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One measured detection time, printed as one line and checked against its window:
 * <pre>
 * DETECTION transport=epoll scenario=idle-blackhole bound=5.00s measured=5.08s allowed=4.50s..7.00s cause=TIMED_OUT
 * </pre>
 * The window is {@code [bound - early, bound + late]}: later than the bound by more than {@code late} is a
 * detection that failed; earlier by more than {@code early} means something other than the mechanism under
 * test ended the connection.
 */
public final class Detection {

    private static final List<String> LINES = new ArrayList<>();

    private Detection() {
    }

    /**
     * Prints the line, then fails with it if {@code measured} is outside the window.
     *
     * @param bound    the configured bound, in seconds
     * @param measured the measured time, in seconds
     * @param early    how much earlier than the bound is still plausible, in seconds
     * @param late     how much later than the bound is still a pass, in seconds
     * @param note     the cause and anything else worth reading, or empty
     */
    public static void check(String transport, String scenario, double bound, double measured, double early,
                             double late, String note) {
        String line = String.format(Locale.ROOT, "DETECTION transport=%s scenario=%s bound=%.2fs measured=%.2fs "
                + "allowed=%.2fs..%.2fs%s", transport, scenario, bound, measured, bound - early, bound + late,
                note.isEmpty() ? "" : " " + note);
        record(line);
        if (measured < bound - early || measured > bound + late) {
            throw new AssertionError("outside the allowed window: " + line);
        }
    }

    /** Prints a line that is not a timed detection, such as the contrast case that never ends. */
    public static void record(String line) {
        System.out.println(line);
        synchronized (LINES) {
            LINES.add(line);
        }
    }

    /** Every line printed so far in this JVM. */
    public static List<String> lines() {
        synchronized (LINES) {
            return new ArrayList<>(LINES);
        }
    }
}
