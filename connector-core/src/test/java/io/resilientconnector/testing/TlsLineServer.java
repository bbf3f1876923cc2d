package io.resilientconnector.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A TLS server on loopback that records the lines it receives, with a certificate from {@code tls/}. */
public final class TlsLineServer implements AutoCloseable {

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final Channel server;

    /** @param certificate {@code localhost} or {@code wrong-host}, a certificate under {@code tls/} */
    public TlsLineServer(String certificate) throws Exception {
        SslContext ssl;
        try (InputStream cert = resource(certificate + ".pem"); InputStream key = resource(certificate + ".key")) {
            ssl = SslContextBuilder.forServer(cert, key).build();
        }
        server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        connections.add(ch);
                        ch.pipeline().addLast(ssl.newHandler(ch.alloc()), new LineBasedFrameDecoder(1024),
                                new StringDecoder(), new SimpleChannelInboundHandler<String>() {
                                    @Override
                                    protected void channelRead0(ChannelHandlerContext ctx, String line) {
                                        lines.add(line);
                                    }

                                    @Override
                                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                                        ctx.close();
                                    }
                                });
                    }
                }).bind(InetAddress.getLoopbackAddress(), 0).sync().channel();
    }

    /** The CA that signed every certificate under {@code tls/}. */
    public static InputStream caCertificate() {
        return resource("ca.pem");
    }

    private static InputStream resource(String name) {
        return TlsLineServer.class.getResourceAsStream("/tls/" + name);
    }

    public int port() {
        return ((java.net.InetSocketAddress) server.localAddress()).getPort();
    }

    public String pollLine(long timeout, TimeUnit unit) throws InterruptedException {
        return lines.poll(timeout, unit);
    }

    /**
     * Drops TLS from every connection and writes {@code text} in plain bytes, which the client's TLS layer
     * cannot decode: a TLS failure on an established connection.
     */
    public void sendPlaintext(String text) throws InterruptedException {
        for (Channel ch : connections) {
            ch.eventLoop().submit(() -> {
                ch.pipeline().remove(SslHandler.class);
                return ch.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII));
            }).await(5, TimeUnit.SECONDS);
        }
    }

    public void closeConnections() throws InterruptedException {
        connections.close().await(5, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        server.close().await(5, TimeUnit.SECONDS);
        connections.close().await(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 0, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
    }
}
