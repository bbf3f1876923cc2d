package io.resilientconnector.internal.session;

import io.netty.channel.EventLoop;
import io.resilientconnector.util.ApplicationCode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * Runs a connector's steps one at a time on its event loop. A step asked for while another runs (a listener that
 * closes the channel it was just told about, a flush that fails at once) waits in a queue and runs once the
 * first is over, so no step ever sees another half done; gRPC-java's {@code SynchronizationContext} works
 * alike. What a step throws is logged and does not stop the next one.
 */
final class SerialSteps {

    private static final Logger logger = LoggerFactory.getLogger("io.resilientconnector.ResilientConnector");

    private final EventLoop loop;
    private final Object name;
    // Confined to the loop; created on the first step that has to wait.
    private ArrayDeque<Runnable> queued;
    private boolean running;

    /** @param name what a log line names if a step fails */
    SerialSteps(EventLoop loop, Object name) {
        this.loop = loop;
        this.name = name;
    }

    /** Runs {@code step} on the loop, after the step under way if there is one. Returns false if the loop is gone. */
    boolean execute(Runnable step) {
        if (loop.inEventLoop()) {
            run(step);
            return true;
        }
        try {
            loop.execute(() -> run(step));
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }

    /** Runs {@code step} now, or after the step under way. Call it on the loop. */
    void run(Runnable step) {
        if (running) {
            if (queued == null) {
                queued = new ArrayDeque<>(4);
            }
            queued.add(step);
            return;
        }
        running = true;
        try {
            runOne(step);
            while (queued != null && !queued.isEmpty()) {
                runOne(queued.poll());
            }
        } finally {
            running = false;
        }
    }

    private void runOne(Runnable step) {
        try {
            step.run();
        } catch (Throwable t) {
            ApplicationCode.rethrowIfFatal(t);
            // The connector's own bug: say so loudly, and let the next step find the state as this one left it.
            logger.error("connector to {}: a step failed", name, t);
        }
    }
}
