package io.resilientconnector.internal.pipeline;

import io.netty.channel.Channel;
import io.resilientconnector.Disconnection;

/** What a {@link ConnectionHandler} tells the connector that owns it. Called on the channel's event loop. */
public interface ConnectionOwner {

    /** The connection is up and ready for the application: connected, and through TLS and a proxy if any. */
    void ready(Channel channel);

    /** Nothing was read for {@code consecutive} read-idle periods in a row. */
    void readIdle(Channel channel, int consecutive);

    /** The channel's writability changed; pending sends may go on. */
    void writabilityChanged(Channel channel);

    /** A heartbeat probe was answered, {@code roundTripNanos} after it was written. */
    void heartbeat(Channel channel, long roundTripNanos);

    /** The connection ended; {@code why} is complete and named. */
    void ended(Channel channel, Disconnection why);
}
