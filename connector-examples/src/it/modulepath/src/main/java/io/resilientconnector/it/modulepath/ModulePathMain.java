package io.resilientconnector.it.modulepath;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.util.ReferenceCountUtil;
import io.resilientconnector.ConnectorListener;
import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.ResilientConnector;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.module.ModuleDescriptor;
import java.lang.reflect.Constructor;
import java.lang.reflect.InaccessibleObjectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static java.nio.charset.StandardCharsets.US_ASCII;

/**
 * Runs on the module path: connects through the public API to a line server on loopback, then checks that the
 * connector's internals are hidden from this module. Any failure ends the program with an exception, so a
 * non-zero exit status.
 *
 * <p>With the argument {@code --native}, it also checks that on Linux the connector chose a native transport:
 * Netty finds its native libraries only in modules that are resolved, so the run must resolve them (for example
 * with {@code --add-modules ALL-MODULE-PATH}).
 */
public final class ModulePathMain {

    static final String MODULE = "io.resilientconnector.core";
    static final Set<String> API = Set.of("io.resilientconnector", "io.resilientconnector.handler",
            "io.resilientconnector.transport", "io.resilientconnector.micrometer");
    static final String SESSION = "io.resilientconnector.internal.session.ConnectorSession";
    static final String LINE = "hello from the module path";

    public static void main(String[] args) throws Exception {
        boolean expectNative = args.length > 0 && args[0].equals("--native")
                && System.getProperty("os.name").startsWith("Linux");
        Transport chosen = Transport.resolve(TransportType.AUTO);
        check(!expectNative || chosen.type() != TransportType.NIO,
                "expected a native transport on Linux, got " + chosen.type() + ": " + chosen.reason());
        String channel = connectsAndSends();
        internalsAreHidden();
        System.out.println("MODULEPATH OK: " + MODULE + " ran on the module path (" + chosen.type() + ", "
                + channel + "; " + chosen.reason() + "), the server received \"" + LINE
                + "\", and its internals are neither exported nor open");
    }

    /** Connects to a line server, sends a line, and closes; returns the channel type the connector used. */
    static String connectsAndSends() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<String> received = new CompletableFuture<>();
            Thread reader = new Thread(() -> {
                try (Socket s = server.accept();
                     BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), US_ASCII))) {
                    received.complete(in.readLine());
                    // Hold the connection until the connector closes it, so that its end is the local close.
                    while (in.read() >= 0) {
                        // Nothing more is sent.
                    }
                } catch (IOException e) {
                    received.completeExceptionally(e);
                }
            }, "line-server");
            reader.setDaemon(true);
            reader.start();

            CompletableFuture<Channel> connected = new CompletableFuture<>();
            CompletableFuture<Disconnection> ended = new CompletableFuture<>();
            ConnectorOptions options = ConnectorOptions.builder()
                    .endpoint("127.0.0.1", server.getLocalPort())
                    .build();
            ResilientConnector connector = ResilientConnector.builder(options)
                    // A handler of this module's own, in a package it does not export: Netty reflects on it too.
                    .handler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new Discard());
                        }
                    })
                    .listener(new ConnectorListener() {
                        @Override
                        public void connected(Channel channel) {
                            connected.complete(channel);
                        }

                        @Override
                        public void disconnected(Disconnection why) {
                            ended.complete(why);
                        }
                    })
                    .build().start();
            String line;
            Channel channel;
            try {
                channel = connected.get(30, TimeUnit.SECONDS);
                connector.send(Unpooled.copiedBuffer(LINE + "\n", US_ASCII)).get(30, TimeUnit.SECONDS);
                line = received.get(30, TimeUnit.SECONDS);
            } finally {
                connector.close();
            }
            check(LINE.equals(line), "the server received " + line + ", expected " + LINE);
            Disconnection why = ended.getNow(null);
            check(why != null && why.cause() == DisconnectCause.LOCAL_CLOSE,
                    "close() returned before disconnected(LOCAL_CLOSE) was heard: " + why);
            return channel.getClass().getSimpleName();
        }
    }

    /** The connector is a named module that exports its API packages only, and opens none. */
    static void internalsAreHidden() throws Exception {
        Module core = ResilientConnector.class.getModule();
        Module self = ModulePathMain.class.getModule();
        check(core.isNamed() && MODULE.equals(core.getName()),
                "ResilientConnector is in " + core + ", expected the named module " + MODULE);
        check(self.isNamed(), "this program is in " + self + ", expected a named module: run it with --module");
        check(!core.isExported("io.resilientconnector.internal.session"),
                "io.resilientconnector.internal.session is exported");

        Set<String> exported = core.getDescriptor().exports().stream()
                .filter(e -> !e.isQualified()).map(ModuleDescriptor.Exports::source)
                .collect(Collectors.toCollection(TreeSet::new));
        check(exported.equals(API), "exported packages: " + exported + " (expected: " + new TreeSet<>(API) + ")");
        for (String pkg : core.getPackages()) {
            if (!API.contains(pkg)) {
                check(!core.isExported(pkg, self) && !core.isOpen(pkg, self), pkg + " is visible to " + self);
            }
        }

        // The control: the same reflective call succeeds on an exported class, so the failures below are
        // the module boundary's doing.
        Object builder = ConnectorOptions.class.getMethod("builder").invoke(null);
        check(builder != null, "ConnectorOptions.builder() returned null through reflection");

        // Loading a hidden class is allowed; using it is not.
        Class<?> session = Class.forName(SESSION);
        check(session.getModule() == core, SESSION + " is in " + session.getModule() + ", expected " + MODULE);
        Constructor<?> constructor = session.getConstructors()[0];
        try {
            constructor.newInstance(new Object[constructor.getParameterCount()]);
            throw new AssertionError("constructed " + SESSION + " from outside its module");
        } catch (IllegalAccessException expected) {
            // Not exported.
        }
        try {
            constructor.setAccessible(true);
            throw new AssertionError("made " + SESSION + "'s constructor accessible from outside its module");
        } catch (InaccessibleObjectException expected) {
            // Not open.
        }
    }

    static void check(boolean condition, String failure) {
        if (!condition) {
            throw new AssertionError(failure);
        }
    }

    /** Releases what it reads: the line server sends nothing, but a handler must not leak. */
    static final class Discard extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ReferenceCountUtil.release(msg);
        }
    }
}
