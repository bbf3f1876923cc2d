package io.resilientconnector.testing;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * What this machine offers a test that needs more than a JVM (root, system tools, real servers), and the one
 * rule for when it offers too little: skip with the reason, except on Linux with {@code CI=true}, where the
 * test fails instead. CI must run those tests, not skip them quietly.
 */
public final class TestEnvironment {

    private TestEnvironment() {
    }

    /** Something a test starts that may not be available here: a lab, a server. */
    @FunctionalInterface
    public interface Start<T> {
        T start() throws IOException;
    }

    /**
     * Starts {@code what} for a JUnit test. Where it cannot run ({@code unavailableReason} is not null, or
     * starting throws an {@link IOException}), the test is skipped and the reason printed as
     * {@code <WHAT> SKIPPED: <reason>}, except on Linux with the environment variable {@code CI=true}, where the
     * test fails with the reason instead.
     *
     * @param what              a short name for messages, such as "fault lab"
     * @param unavailableReason why it cannot run here, or {@code null} if it should
     */
    public static <T> T startForTest(String what, String unavailableReason, Start<T> start) {
        String reason = unavailableReason;
        if (reason == null) {
            try {
                return start.start();
            } catch (IOException e) {
                reason = what + " could not start: " + e.getMessage();
            }
        }
        if (isLinux() && "true".equals(System.getenv("CI"))) {
            throw new AssertionError(what + " required with CI=true, but " + reason);
        }
        System.out.println(what.toUpperCase(Locale.ROOT) + " SKIPPED: " + reason);
        String why = reason;
        assumeTrue(false, () -> what + " unavailable: " + why);
        throw new AssertionError("unreachable");
    }

    public static boolean isLinux() {
        return System.getProperty("os.name", "").toLowerCase(Locale.ROOT).contains("linux");
    }

    /** The effective user id from {@code /proc/self/status}, or {@code null} where there is no such file. */
    public static Integer effectiveUid() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    // Real, effective, saved, filesystem.
                    return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                }
            }
        } catch (IOException | RuntimeException e) {
            return null;
        }
        return null;
    }

    public static boolean isRoot() {
        Integer uid = effectiveUid();
        return uid != null && uid == 0;
    }

    /** The absolute path of {@code tool}, looked up on PATH and in the sbin directories, or {@code null}. */
    public static String findTool(String tool) {
        List<String> dirs = new ArrayList<>();
        String path = System.getenv("PATH");
        if (path != null) {
            dirs.addAll(List.of(path.split(File.pathSeparator)));
        }
        // A non-login shell may leave the sbin directories off PATH, even for root.
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        for (String dir : dirs) {
            File f = new File(dir, tool);
            if (!dir.isEmpty() && f.isFile() && f.canExecute()) {
                return f.getAbsolutePath();
            }
        }
        return null;
    }
}
