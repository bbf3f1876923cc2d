package io.resilientconnector.testing;

import io.netty.util.concurrent.EventExecutorGroup;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Closes what a test opened, after each test, the last added first: connectors close before the resources and
 * servers they were added after. Register it on an instance field:
 *
 * <pre>{@code
 * @RegisterExtension
 * final Closer closer = new Closer();
 *
 * LineServer server = closer.add(LineServer.start());
 * }</pre>
 *
 * <p>A close that throws does not stop the others: the first failure is thrown once all have run, with the later
 * ones suppressed. JUnit runs the class's own {@code @AfterEach} methods before this extension, so one that
 * releases something a close would wait for (a latch holding a lookup) still runs first.
 */
public final class Closer implements AfterEachCallback {

    /** How to close a resource that is not an {@link AutoCloseable}. */
    @FunctionalInterface
    public interface Close<T> {
        void close(T resource) throws Exception;
    }

    /** Last added first; guarded by itself, as a test may add from a thread of its own. */
    private final Deque<AutoCloseable> stack = new ArrayDeque<>();

    /** Closes {@code closeable} after the test; returns it. */
    public <T extends AutoCloseable> T add(T closeable) {
        push(Objects.requireNonNull(closeable, "closeable"));
        return closeable;
    }

    /** Closes {@code resource} with {@code close} after the test; returns it. */
    public <T> T add(T resource, Close<? super T> close) {
        Objects.requireNonNull(resource, "resource");
        Objects.requireNonNull(close, "close");
        push(() -> close.close(resource));
        return resource;
    }

    /**
     * Shuts {@code group} down after the test, with no quiet period, and waits until it has; returns it. Not an
     * overload of {@code add}: javac cannot tell the two apart for an interface type such as EventLoopGroup.
     */
    public <T extends EventExecutorGroup> T addGroup(T group) {
        return add(group, g -> g.shutdownGracefully(0, 0, TimeUnit.SECONDS).sync());
    }

    private void push(AutoCloseable closeable) {
        synchronized (stack) {
            stack.push(closeable);
        }
    }

    /**
     * Closes everything added so far, the last added first, and forgets it. Every close runs; the first failure
     * is thrown afterwards, with the later ones suppressed.
     */
    public void close() throws Exception {
        List<Throwable> failures = new ArrayList<>();
        for (AutoCloseable next = pop(); next != null; next = pop()) {
            try {
                next.close();
            } catch (Throwable t) {
                failures.add(t);
            }
        }
        if (failures.isEmpty()) {
            return;
        }
        Throwable first = failures.get(0);
        failures.subList(1, failures.size()).forEach(first::addSuppressed);
        if (first instanceof Exception e) {
            throw e;
        }
        if (first instanceof Error e) {
            throw e;
        }
        throw new IllegalStateException(first);
    }

    private AutoCloseable pop() {
        synchronized (stack) {
            return stack.poll();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        close();
    }
}
