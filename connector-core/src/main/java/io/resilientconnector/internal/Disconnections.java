package io.resilientconnector.internal;

import io.resilientconnector.Unacknowledged;

import java.time.Duration;

/** Builds the parts of a {@link io.resilientconnector.Disconnection} that only the library samples. */
public final class Disconnections {

    private Disconnections() {
    }

    /**
     * A sample of the bytes the peer had not acknowledged.
     *
     * @param notSentBytes of {@code bytes}, those never sent, or {@code -1} if the source does not say
     * @param segments     segments in flight, or {@code -1} if the kernel had discarded its queue or the source
     *                     does not say
     * @param age          how long before the connection ended the sample was taken
     */
    public static Unacknowledged unacknowledged(long bytes, long notSentBytes, long segments, Duration age) {
        return new Unacknowledged(bytes, notSentBytes, segments, age, null);
    }
}
