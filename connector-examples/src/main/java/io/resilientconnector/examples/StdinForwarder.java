package io.resilientconnector.examples;

import io.netty.buffer.Unpooled;
import io.resilientconnector.ResilientConnector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

/**
 * Sends each line read from an input stream to the connector, as netcat does with stdin. While the
 * connector is disconnected the lines wait in its pending-send buffer and go out in order after the
 * reconnect; a line that never will is counted into a {@code SEND_FAILED} line. At end of input it stops
 * reading and the connection stays up, so the program runs the same with no stdin at all.
 */
final class StdinForwarder implements Runnable {

    private static final Logger logger = LoggerFactory.getLogger(StdinForwarder.class);

    private final InputStream in;
    private final ResilientConnector connector;
    private final SendFailures failures;
    private final Thread thread;
    private volatile boolean stopped;

    private StdinForwarder(InputStream in, ResilientConnector connector, SendFailures failures) {
        this.in = in;
        this.connector = connector;
        this.failures = failures;
        this.thread = new Thread(this, "stdin-forwarder");
    }

    /** Starts forwarding on a daemon thread, which a blocked read of the console cannot keep alive. */
    static StdinForwarder start(InputStream in, ResilientConnector connector, SendFailures failures) {
        StdinForwarder forwarder = new StdinForwarder(in, connector, failures);
        forwarder.thread.setDaemon(true);
        forwarder.thread.start();
        return forwarder;
    }

    /** Sends no more lines: before the connector closes, so that every line sent is accounted for. */
    void stop() {
        stopped = true;
    }

    /** Whether it is still reading: false once its input has ended or it was stopped. */
    boolean running() {
        return thread.isAlive();
    }

    @Override
    public void run() {
        // ISO-8859-1 maps every byte to one char and back, so lines reach the peer byte for byte, whatever
        // the console's encoding.
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
            String line;
            while (!stopped && (line = lines.readLine()) != null) {
                forward(line);
            }
            logger.info("stdin closed; still running until stopped (Ctrl-C)");
        } catch (IOException e) {
            logger.warn("stdin unreadable, no longer forwarding it: {}", Text.error(e));
        }
    }

    private void forward(String line) {
        long bytes = line.length() + 1L;
        connector.send(Unpooled.copiedBuffer(line + "\n", StandardCharsets.ISO_8859_1))
                .whenComplete((ignored, failure) -> {
                    if (failure != null) {
                        failures.rejected(line, bytes, failure);
                    }
                });
    }
}
