package io.resilientconnector.internal;

import io.netty.channel.Channel;

import java.net.SocketAddress;

/** The prefix every log line about a connection starts with: its id and remote address. */
public final class ChannelLog {

    private ChannelLog() {
    }

    public static String id(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        return "[" + channel.id().asShortText() + (remote == null ? "" : ", " + remote) + "]";
    }
}
