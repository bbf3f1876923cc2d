package io.resilientconnector.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A benchmark main run in a JVM of its own, on this JVM's class path. Lines it prints that start with an upper
 * case word are kept for {@link #expect}; the rest of its output goes to this process's standard error. It is
 * destroyed when {@link #close()}d and, failing that, when this JVM exits.
 */
final class ChildJvm implements AutoCloseable {

    private final String name;
    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Thread cleanup;

    private ChildJvm(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(this::readOutput, name + "-stdout");
        reader.setDaemon(true);
        reader.start();
        this.cleanup = new Thread(process::destroyForcibly, name + "-cleanup");
        Runtime.getRuntime().addShutdownHook(cleanup);
    }

    static ChildJvm start(Class<?> main, List<String> args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Paths.get(System.getProperty("java.home"), "bin", "java").toString());
        String logDir = System.getProperty("benchmark.log.dir");
        if (logDir != null) {
            command.add("-Dbenchmark.log.dir=" + logDir);
        }
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(main.getName());
        command.addAll(args);
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
        return new ChildJvm(main.getSimpleName(), process);
    }

    void send(String command) throws IOException {
        stdin.write(command + "\n");
        stdin.flush();
    }

    /** The next line that starts with {@code word}; fails if the child exits or the timeout passes first. */
    String expect(String word, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left > 0 ? lines.poll(Math.min(left, TimeUnit.MILLISECONDS.toNanos(200)), TimeUnit.NANOSECONDS) : null;
            if (line != null) {
                if (line.startsWith(word + " ") || line.equals(word)) {
                    return line.equals(word) ? "" : line.substring(word.length() + 1);
                }
                if (line.startsWith("ERROR")) {
                    throw new IllegalStateException(name + ": " + line);
                }
                continue;
            }
            if (!process.isAlive() && lines.isEmpty()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + " before printing " + word);
            }
            if (left <= 0) {
                throw new IllegalStateException(name + " printed no " + word + " within " + timeout);
            }
        }
    }

    /** Waits for the child to exit by itself, returning its exit code. */
    int await(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new IllegalStateException(name + " did not exit within " + timeout);
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        try {
            send("quit");
            stdin.close();
        } catch (IOException e) {
            // Already gone.
        }
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(cleanup);
        } catch (IllegalStateException e) {
            // This JVM is exiting; the hook runs anyway.
        }
    }

    private void readOutput() {
        try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.isEmpty() && Character.isUpperCase(line.charAt(0)) && line.split(" ")[0].chars()
                        .allMatch(c -> Character.isUpperCase(c) || c == '_')) {
                    lines.add(line);
                } else {
                    System.err.println("[" + name + "] " + line);
                }
            }
        } catch (IOException e) {
            // The child exited.
        }
    }
}
