package io.resilientconnector.examples;

import picocli.CommandLine;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** {@link ConnectorMain} run in this JVM, on a thread of its own, with stdout and stderr captured. */
final class InProcessMain implements AutoCloseable {

    final ConnectorMain main;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CompletableFuture<Integer> exitCode = new CompletableFuture<>();

    private InProcessMain(InputStream stdin, DemoServer.Schedule demoSchedule) {
        this.main = new ConnectorMain(stdin, demoSchedule, false);
    }

    /** Runs to completion: for input that ends the program at once, such as {@code --help} or an error. */
    static InProcessMain run(String... args) {
        InProcessMain m = new InProcessMain(InputStream.nullInputStream(), DemoServer.Schedule.defaults());
        m.exitCode.complete(m.commandLine().execute(args));
        return m;
    }

    /** Starts the program on a daemon thread and returns while it runs. */
    static InProcessMain start(InputStream stdin, DemoServer.Schedule demoSchedule, String... args) {
        InProcessMain m = new InProcessMain(stdin, demoSchedule);
        CommandLine commandLine = m.commandLine();
        Thread thread = new Thread(() -> {
            try {
                m.exitCode.complete(commandLine.execute(args));
            } catch (Throwable t) {
                m.exitCode.completeExceptionally(t);
            }
        }, "connector-main");
        thread.setDaemon(true);
        thread.start();
        return m;
    }

    private CommandLine commandLine() {
        return ConnectorMain.commandLine(main)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true));
    }

    String out() {
        return out.toString();
    }

    String err() {
        return err.toString();
    }

    List<String> outLines() {
        return out.toString().lines().toList();
    }

    List<String> errLines() {
        return err.toString().lines().toList();
    }

    /** Whether stdout has a line for {@code event}, such as {@code READ_IDLE}. */
    boolean printed(String event) {
        return outLines().stream().anyMatch(line -> line.startsWith(event + " "));
    }

    CompletableFuture<Integer> exitCode() {
        return exitCode;
    }

    /** Stops the program as Ctrl-C would, and returns its exit code. */
    int stop() throws Exception {
        main.stop();
        return exitCode.get(15, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws Exception {
        if (!exitCode.isDone()) {
            stop();
        }
    }
}
