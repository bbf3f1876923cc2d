package io.resilientconnector.faultlab;

import io.resilientconnector.testing.TestEnvironment;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** Runs the system tools the lab needs ({@code ip}, {@code nft}) with a deadline, and finds them. */
final class Commands {

    private static final long TIMEOUT_SECONDS = 20;

    private Commands() {
    }

    /** The absolute path of {@code tool}, looked up on PATH and in the sbin directories, or {@code null}. */
    static String find(String tool) {
        return TestEnvironment.findTool(tool);
    }

    /** Runs {@code command}, feeding it {@code stdin} if not null; returns its standard output. */
    static String run(String stdin, List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        CompletableFuture<String> out = drain(p.getInputStream());
        CompletableFuture<String> err = drain(p.getErrorStream());
        try (OutputStream in = p.getOutputStream()) {
            if (stdin != null) {
                in.write(stdin.getBytes(StandardCharsets.UTF_8));
            }
        }
        try {
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException(String.join(" ", command) + ": no exit within " + TIMEOUT_SECONDS + "s");
            }
            if (p.exitValue() != 0) {
                throw new IOException(String.join(" ", command) + ": exit " + p.exitValue() + ": "
                        + err.get(5, TimeUnit.SECONDS).trim());
            }
            return out.get(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + ": interrupted", e);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IOException(String.join(" ", command) + ": could not read its output", e);
        }
    }

    static String run(String... command) throws IOException {
        return run(null, List.of(command));
    }

    /** Reads {@code stream} to its end on a thread of its own, so that neither pipe can fill and block the tool. */
    private static CompletableFuture<String> drain(InputStream stream) {
        CompletableFuture<String> text = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try (InputStream s = stream) {
                ByteArrayOutputStream buffer = new ByteArrayOutputStream();
                s.transferTo(buffer);
                text.complete(buffer.toString(StandardCharsets.UTF_8));
            } catch (IOException e) {
                text.completeExceptionally(e);
            }
        }, "fault-lab-drain");
        t.setDaemon(true);
        t.start();
        return text;
    }
}
