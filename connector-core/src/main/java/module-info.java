/**
 * A Netty TCP client connection that detects dead peers within a configured bound, says why each connection ended,
 * and reconnects with backoff. Only the four API packages are exported; {@code internal.*} and {@code util} stay
 * invisible on the module path.
 */
// "requires-automatic": Micrometer has no module-info; micrometer.core is the name its manifest gives.
@SuppressWarnings("requires-automatic")
module io.resilientconnector.core {
    exports io.resilientconnector;
    exports io.resilientconnector.handler;
    exports io.resilientconnector.transport;
    exports io.resilientconnector.micrometer;

    // Netty and SLF4J types in the exported API (Channel, Bootstrap, ByteBuf, SslContext, AddressResolverGroup,
    // EventExecutor, org.slf4j.event.Level): a user who reads this module reads them too.
    requires transitive io.netty.buffer;
    requires transitive io.netty.common;
    requires transitive io.netty.handler;
    requires transitive io.netty.resolver;
    requires transitive io.netty.transport;
    requires transitive org.slf4j;

    requires io.netty.codec;
    requires io.netty.codec.http;
    requires io.netty.codec.socks;
    requires io.netty.handler.proxy;
    requires io.netty.transport.unix.common;
    // Not static: the pom makes the classes jars plain dependencies, and Transport links their IoHandler classes
    // whatever the platform. Only the native libraries, in other jars, may be missing; Netty reports that.
    requires io.netty.transport.classes.epoll;
    requires io.netty.transport.classes.io_uring;
    requires io.netty.transport.classes.kqueue;
    // jdk.net.ExtendedSocketOptions: keepalive timings on NIO.
    requires jdk.net;

    // Optional, as in the pom: only io.resilientconnector.micrometer uses it. Not transitive, although
    // ConnectorMetrics takes a MeterRegistry: javac makes a static transitive module mandatory for every module
    // that requires this one. A user of ConnectorMetrics requires micrometer.core to make a registry anyway.
    requires static micrometer.core;
    // Static: JfrEvents checks for jdk.jfr at run time, so a runtime image without it still runs the connector.
    // A full JDK resolves jdk.jfr on the module path all the same (jdk.management.jfr, which service binding
    // brings in, requires it), and -XX:StartFlightRecording adds it as a root.
    requires static jdk.jfr;
}
