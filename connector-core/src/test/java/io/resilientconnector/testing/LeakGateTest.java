package io.resilientconnector.testing;

import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.lang.reflect.Proxy;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

class LeakGateTest {

    @Test
    void failsWhenABufferLeaks() {
        LeakGate gate = new LeakGate();
        ExtensionContext context = (ExtensionContext) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {ExtensionContext.class},
                (proxy, method, args) -> "getDisplayName".equals(method.getName()) ? "a leaky test" : null);
        // Keep the deliberate leak's report off the console, so a reader of the build log is not misled.
        ch.qos.logback.classic.Logger detector = (ch.qos.logback.classic.Logger)
                org.slf4j.LoggerFactory.getLogger(io.netty.util.ResourceLeakDetector.class);
        detector.setAdditive(false);
        try {
            gate.beforeAll(context);
            leak();
            assertThatThrownBy(() -> gate.afterAll(context)).isInstanceOf(AssertionError.class)
                    .hasMessageContaining("buffer leak(s) reported during a leaky test").hasMessageContaining("LEAK:");
        } finally {
            detector.setAdditive(true);
        }
    }

    private static void leak() {
        // Allocated and never released; the reference dies with this frame.
        UnpooledByteBufAllocator.DEFAULT.buffer(16).writeInt(42);
    }
}
