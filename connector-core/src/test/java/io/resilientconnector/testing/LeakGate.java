package io.resilientconnector.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Fails a test class when Netty's leak detector reports a leaked buffer while it ran. Registered for every
 * test class through the service loader; the suite runs with leak detection at PARANOID.
 *
 * <p>The detector reports a leak only after the leaked buffer is collected and another buffer is allocated,
 * so after each class this runs the collector and allocates until the reference queue is drained.
 */
public final class LeakGate implements BeforeAllCallback, AfterAllCallback {

    private static final List<String> LEAKS = new CopyOnWriteArrayList<>();

    static {
        Logger detector = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        AppenderBase<ILoggingEvent> recorder = new AppenderBase<>() {
            @Override
            protected void append(ILoggingEvent event) {
                if (event.getFormattedMessage().contains("LEAK:")) {
                    LEAKS.add(event.getFormattedMessage());
                }
            }
        };
        recorder.start();
        detector.addAppender(recorder);
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        LEAKS.clear();
    }

    @Override
    public void afterAll(ExtensionContext context) throws InterruptedException {
        if (ResourceLeakDetector.getLevel() != ResourceLeakDetector.Level.PARANOID) {
            throw new AssertionError("the suite must run with -Dio.netty.leakDetection.level=paranoid, not "
                    + ResourceLeakDetector.getLevel());
        }
        for (int i = 0; i < 3 && LEAKS.isEmpty(); i++) {
            System.gc();
            Thread.sleep(50); // lets the collector enqueue references; not a wait for the code under test
            for (int j = 0; j < 64; j++) {
                ByteBuf probe = j % 2 == 0 ? PooledByteBufAllocator.DEFAULT.buffer(1) : UnpooledByteBufAllocator.DEFAULT.buffer(1);
                probe.release();
            }
        }
        if (!LEAKS.isEmpty()) {
            List<String> found = List.copyOf(LEAKS);
            LEAKS.clear();
            throw new AssertionError(found.size() + " buffer leak(s) reported during " + context.getDisplayName()
                    + ":\n" + String.join("\n", found));
        }
    }
}
