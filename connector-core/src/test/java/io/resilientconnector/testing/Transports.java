package io.resilientconnector.testing;

import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The transports a test runs on, and the rule for one that is unavailable here. */
public final class Transports {

    private Transports() {
    }

    /** EPOLL, IO_URING and NIO: every transport this project ships for Linux, plus the portable one. */
    public static List<TransportType> linuxAndNio() {
        List<TransportType> out = new ArrayList<>();
        out.add(TransportType.EPOLL);
        out.add(TransportType.IO_URING);
        out.add(TransportType.NIO);
        return out;
    }

    /**
     * Skips the test, saying why, when {@code type} is unavailable here, except on Linux under CI, where every
     * Linux transport must run and an unavailable one fails the test.
     */
    public static void assumeAvailable(TransportType type) {
        Throwable cause = Transport.unavailabilityCause(type);
        if (cause != null && "true".equals(System.getenv("CI")) && isLinux()) {
            throw new AssertionError("transport " + type + " must be available on Linux CI: " + cause, cause);
        }
        assumeTrue(cause == null, () -> "transport " + type + " is not available here: " + cause);
    }

    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
    }
}
