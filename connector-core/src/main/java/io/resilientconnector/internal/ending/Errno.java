package io.resilientconnector.internal.ending;

import io.netty.util.internal.PlatformDependent;

/**
 * The few errno values the classifier needs, by name, for the platforms with a native transport.
 * Numbers differ by kernel (ETIMEDOUT is 110 on Linux and 60 on macOS), so they are looked up here
 * instead of being compared as literals.
 */
public enum Errno {
    EPIPE(32, 32),
    ECONNRESET(104, 54),
    ECONNABORTED(103, 53),
    ETIMEDOUT(110, 60),
    ECONNREFUSED(111, 61),
    EHOSTUNREACH(113, 65),
    ENETUNREACH(101, 51),
    ENETDOWN(100, 50),
    EHOSTDOWN(112, 64);

    private static final boolean BSD = PlatformDependent.isOsx() || isBsd();

    private final int linux;
    private final int bsd;

    Errno(int linux, int bsd) {
        this.linux = linux;
        this.bsd = bsd;
    }

    /** This platform's number for the error. */
    public int number() {
        return BSD ? bsd : linux;
    }

    /**
     * The named errno for {@code number}, which may be negative as Netty's native exceptions report it,
     * or {@code null} if it is none of the ones above.
     */
    public static Errno of(int number) {
        int n = Math.abs(number);
        for (Errno e : values()) {
            if (e.number() == n) {
                return e;
            }
        }
        return null;
    }

    private static boolean isBsd() {
        String os = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT);
        return os.contains("bsd");
    }
}
