package io.resilientconnector.handler;

import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.resilientconnector.internal.Checks;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Fires an {@link IdleStateEvent} of state {@code READER_IDLE} each time nothing has been read for the read
 * timeout: first with {@link IdleStateEvent#isFirst()} true, then again every period while reads stay idle.
 * It only detects; {@link ReadIdleAction} decides what to do. Create one per channel.
 */
public final class ReadIdleHandler extends IdleStateHandler {

    /** The longest read timeout accepted: a day. */
    public static final Duration MAX_TIMEOUT = Duration.ofDays(1);

    private final Duration readTimeout;

    public ReadIdleHandler(Duration readTimeout) {
        super(Checks.positive(readTimeout, MAX_TIMEOUT, "readTimeout").toNanos(), 0, 0, TimeUnit.NANOSECONDS);
        this.readTimeout = readTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }
}
