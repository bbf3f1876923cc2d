package io.resilientconnector.transport;

/** The Netty transport a connection runs on. */
public enum TransportType {
    /**
     * The best transport available here: epoll, then io_uring on Linux; NIO elsewhere. On macOS this picks
     * NIO rather than kqueue, because Netty's kqueue transport has no keepalive timing options while the
     * JDK's extended socket options set them through tested, supported code.
     */
    AUTO,
    /** Linux epoll: keepalive timings, TCP_USER_TIMEOUT and TCP_INFO. */
    EPOLL,
    /** Linux io_uring: keepalive timings and TCP_USER_TIMEOUT. */
    IO_URING,
    /** macOS and BSD kqueue: plain SO_KEEPALIVE only; timings stay at the system's defaults. */
    KQUEUE,
    /** The JDK's NIO: keepalive timings where the JDK supports them; no TCP_USER_TIMEOUT. */
    NIO
}
