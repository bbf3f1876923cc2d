package io.resilientconnector.testing;

import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;

/** An application pipeline with nothing in it. */
public final class NoopInitializer extends ChannelInitializer<Channel> {
    @Override
    protected void initChannel(Channel ch) {
    }
}
