package io.resilientconnector.internal;

import java.time.Duration;

/**
 * What every connection of one connector is told, worked out once from its options and shared: the read-idle
 * period and what idleness means, the write-stall timeout, the received-bytes preview.
 */
public final class ConnectionSettings {

    private final long readIdleNanos;
    private final ReadIdlePolicy readIdlePolicy;
    private final Duration writeStallTimeout;
    private final ReceivedBytesPreview preview;

    /**
     * @param readIdle          0 to turn read-idle detection off
     * @param writeStallTimeout 0 to turn the write-stall detector off
     */
    public ConnectionSettings(Duration readIdle, ReadIdlePolicy readIdlePolicy, Duration writeStallTimeout,
                              ReceivedBytesPreview preview) {
        this.readIdleNanos = readIdle.toNanos();
        this.readIdlePolicy = readIdlePolicy;
        this.writeStallTimeout = writeStallTimeout;
        this.preview = preview;
    }

    public long readIdleNanos() {
        return readIdleNanos;
    }

    public ReadIdlePolicy readIdlePolicy() {
        return readIdlePolicy;
    }

    public Duration writeStallTimeout() {
        return writeStallTimeout;
    }

    public ReceivedBytesPreview preview() {
        return preview;
    }
}
