package io.resilientconnector.examples;

import io.resilientconnector.SendRejectedException.Reason;
import io.resilientconnector.SendRejectedException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** SEND_FAILED lines are bounded in number and in length, and every rejection is counted in one of them. */
class SendFailuresTest {

    private static final long MAX_PENDING_BYTES = 1000;
    private static final SendRejectedException FULL = new SendRejectedException(Reason.BUFFER_FULL,
            "pending-send buffer full: 3 messages, 12 bytes waiting (limits: maxPendingMessages 3, maxPendingBytes 1000); state RECONNECTING");

    private final AtomicLong now = new AtomicLong(123_456_789L);
    private final List<String> lines = new ArrayList<>();
    private final SendFailures failures = new SendFailures(lines::add, now::get, MAX_PENDING_BYTES);

    @Test
    void printsTheFirstRejectionAtOnceWithTheFlagNamesInItsError() {
        failures.rejected("hello\u0007", 7, FULL);

        assertThat(lines).containsExactly("SEND_FAILED reason=BUFFER_FULL count=1 bytes=7 last=\"hello\\x07\" error=\""
                + "pending-send buffer full: 3 messages, 12 bytes waiting (limits: --max-pending-messages 3, "
                + "--max-pending-bytes 1000); state RECONNECTING\"");
    }

    @Test
    void foldsABurstIntoOneLinePerSecondAndLosesNone() {
        int total = 0;
        // 100,000 rejections over 3.5 seconds of the clock, one every 35 microseconds.
        for (int i = 0; i < 100_000; i++) {
            failures.rejected("line " + i, 10, FULL);
            total++;
            now.addAndGet(35_000);
            if (i % 1000 == 0) {
                failures.flushDue();
            }
        }
        failures.flushAll();

        assertThat(lines).hasSizeBetween(4, 5).allMatch(l -> l.startsWith("SEND_FAILED reason=BUFFER_FULL count="));
        assertThat(counts(lines)).isEqualTo(total);
        assertThat(sum(lines, "bytes")).isEqualTo(total * 10L);
        assertThat(lines.get(lines.size() - 1)).contains("last=\"line 99999\"");
    }

    @Test
    void printsWhatABurstLeftOnceItsWindowHasPassed() {
        failures.rejected("a", 2, FULL);
        failures.rejected("b", 2, FULL);
        failures.rejected("c", 2, FULL);
        failures.flushDue();
        assertThat(lines).hasSize(1);

        now.addAndGet(SendFailures.WINDOW.toNanos());
        failures.flushDue();
        failures.flushDue();
        failures.flushAll();

        assertThat(lines).containsExactly(
                "SEND_FAILED reason=BUFFER_FULL count=1 bytes=2 last=\"a\" error=\"" + restated(FULL) + "\"",
                "SEND_FAILED reason=BUFFER_FULL count=2 bytes=4 last=\"c\" error=\"" + restated(FULL) + "\"");
    }

    @Test
    void keepsEachReasonToItsOwnLines() {
        failures.rejected("a", 2, FULL);
        failures.rejected("b", 2, new SendRejectedException(Reason.CLOSED, "the connector was closed"));
        failures.rejected("c", 2, FULL);
        failures.rejected("d", 2, new SendRejectedException(Reason.CLOSED, "the connector was closed"));
        failures.flushAll();

        assertThat(lines).extracting(l -> l.substring(0, l.indexOf(" bytes="))).containsExactly(
                "SEND_FAILED reason=BUFFER_FULL count=1", "SEND_FAILED reason=CLOSED count=1",
                "SEND_FAILED reason=BUFFER_FULL count=1", "SEND_FAILED reason=CLOSED count=1");
    }

    @Test
    void showsAtMost80EscapedCharactersOfALongLine() {
        String line = "\u0001".repeat(10) + "x".repeat(10_000_000);
        failures.rejected(line, line.length() + 1, FULL);

        String preview = lines.get(0).replaceAll(".* last=\"([^\"]*)\".*", "$1");
        assertThat(preview).startsWith("\\x01".repeat(10) + "xxxx").endsWith("\u2026");
        assertThat(preview.length() - 1).isLessThanOrEqualTo(SendFailures.PREVIEW_CHARS);
        assertThat(lines.get(0)).contains("\u2026\" last_bytes=10000011 ").hasSizeLessThan(400);
    }

    @Test
    void neverSplitsAnEscape() {
        assertThat(SendFailures.preview("a".repeat(79) + "\n")).isEqualTo("a".repeat(79) + "\u2026");
        assertThat(SendFailures.preview("a".repeat(78) + "\n")).isEqualTo("a".repeat(78) + "\\n");
        assertThat(SendFailures.preview("a".repeat(78) + "\\")).isEqualTo("a".repeat(78) + "\\\\");
        assertThat(SendFailures.preview("a".repeat(80))).isEqualTo("a".repeat(80));
    }

    @Test
    void saysALineLargerThanTheByteLimitCanNeverWait() {
        // Whatever the core's wording: here it says the buffer is full, as it does when something waits already.
        failures.rejected("x".repeat(2000), 2001, FULL);

        assertThat(lines).singleElement().asString().contains("reason=BUFFER_FULL count=1 bytes=2001")
                .contains("error=\"a line of 2001 bytes is larger than --max-pending-bytes 1000, so it can never wait "
                        + "for a connection\"")
                .doesNotContain("buffer full");
    }

    @Test
    void namesAFailedWriteByItsMessageAndAPublicType() {
        // An exception type of the library's internals, which users must not learn to depend on.
        failures.rejected("a", 2, new io.resilientconnector.internal.connect.ConnectFailedException(List.of()));
        failures.rejected("b", 2, new IOException());

        assertThat(lines).containsExactly(
                "SEND_FAILED reason=WRITE_FAILED count=1 bytes=2 last=\"a\" error=\"IOException: no address to connect to\"");
        failures.flushAll();
        assertThat(lines.get(1)).endsWith("last=\"b\" error=\"IOException\"");
    }

    private static String restated(SendRejectedException e) {
        return Flags.restate(e.getMessage());
    }

    static long counts(List<String> lines) {
        return sum(lines, "count");
    }

    private static long sum(List<String> lines, String key) {
        Pattern p = Pattern.compile(" " + key + "=(\\d+)");
        long sum = 0;
        for (String l : lines) {
            Matcher m = p.matcher(l);
            if (m.find()) {
                sum += Long.parseLong(m.group(1));
            }
        }
        return sum;
    }
}
