package io.resilientconnector.internal.connect;

import java.io.IOException;
import java.util.List;

/**
 * Every attempt of a race or a pass failed. {@link #failures()} lists each attempt's route and cause, the
 * names that did not resolve first, then the attempts in the order they failed. The cause is the last
 * failure's cause, so a classifier that walks the cause chain sees a connect failure whenever some address
 * was tried, and a resolution failure only when no name resolved.
 */
public final class ConnectFailedException extends IOException {

    private static final long serialVersionUID = 1L;
    private static final int LISTED = 8;

    private final transient List<AttemptFailure> failures;

    public ConnectFailedException(List<AttemptFailure> failures) {
        super(message(failures), failures.isEmpty() ? null : failures.get(failures.size() - 1).cause());
        this.failures = List.copyOf(failures);
    }

    public List<AttemptFailure> failures() {
        return failures;
    }

    private static String message(List<AttemptFailure> failures) {
        if (failures.isEmpty()) {
            return "no address to connect to";
        }
        StringBuilder sb = new StringBuilder(failures.size() == 1 ? "1 attempt failed: " : failures.size() + " attempts failed: ");
        for (int i = 0; i < Math.min(LISTED, failures.size()); i++) {
            if (i > 0) {
                sb.append("; ");
            }
            sb.append(failures.get(i));
        }
        if (failures.size() > LISTED) {
            sb.append("; and ").append(failures.size() - LISTED).append(" more");
        }
        return sb.toString();
    }
}
