package io.resilientconnector.util;

import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** The prefix every log line about a connection starts with: its id and remote address. */
public final class ChannelLog {

    private ChannelLog() {
    }

    public static String id(Channel channel) {
        SocketAddress remote = channel.remoteAddress();
        return "[" + channel.id().asShortText() + (remote == null ? "" : ", " + address(remote)) + "]";
    }

    /** {@code host:port} without the JDK's {@code name/address} doubling. */
    public static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }
}
