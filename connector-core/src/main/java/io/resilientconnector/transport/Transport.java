package io.resilientconnector.transport;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoEventLoopGroup;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.kqueue.KQueue;
import io.netty.channel.kqueue.KQueueIoHandler;
import io.netty.channel.kqueue.KQueueSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.internal.PlatformDependent;

import java.util.Objects;
import java.util.function.Supplier;

/**
 * A transport chosen for this machine: the channel type to create, the I/O handler an event loop group
 * needs for it, and why it was chosen.
 */
public final class Transport {

    private final TransportType type;
    private final String reason;

    private Transport(TransportType type, String reason) {
        this.type = type;
        this.reason = reason;
    }

    /**
     * Resolves {@code requested} on this machine. {@link TransportType#AUTO} never fails; an explicit
     * choice that is unavailable fails with Netty's reason.
     *
     * @throws IllegalStateException if an explicitly requested transport is unavailable here
     */
    public static Transport resolve(TransportType requested) {
        Objects.requireNonNull(requested, "transport");
        if (requested != TransportType.AUTO) {
            Throwable unavailable = unavailabilityCause(requested);
            if (unavailable != null) {
                throw new IllegalStateException("transport: " + requested + " is not available here: "
                        + describe(unavailable), unavailable);
            }
            return new Transport(requested, "requested explicitly");
        }
        if (PlatformDependent.isOsx()) {
            return new Transport(TransportType.NIO, "AUTO on macOS: NIO applies keepalive timings through "
                    + "jdk.net.ExtendedSocketOptions, which Netty's kqueue transport cannot");
        }
        Throwable epoll = unavailabilityCause(TransportType.EPOLL);
        if (epoll == null) {
            return new Transport(TransportType.EPOLL, "AUTO: epoll is available");
        }
        Throwable ioUring = unavailabilityCause(TransportType.IO_URING);
        if (ioUring == null) {
            return new Transport(TransportType.IO_URING, "AUTO: io_uring is available; epoll is not ("
                    + describe(epoll) + ")");
        }
        return new Transport(TransportType.NIO, PlatformDependent.isWindows()
                ? "AUTO on Windows: NIO is the only transport"
                : "AUTO: no native transport is available (epoll: " + describe(epoll) + "; io_uring: "
                        + describe(ioUring) + ")");
    }

    /**
     * Resolves {@code requested} to the transport that {@code group} can run. With {@link TransportType#AUTO}
     * the group decides; an explicit choice the group cannot run fails.
     *
     * @throws IllegalStateException if the group's I/O handler does not match an explicit choice, or if the
     *                               group is of no transport this library knows
     */
    public static Transport forGroup(TransportType requested, EventLoopGroup group) {
        Objects.requireNonNull(requested, "transport");
        Objects.requireNonNull(group, "group");
        for (TransportType candidate : new TransportType[] {
                TransportType.EPOLL, TransportType.IO_URING, TransportType.KQUEUE, TransportType.NIO}) {
            if (runs(group, candidate)) {
                if (requested != TransportType.AUTO && requested != candidate) {
                    throw new IllegalStateException("transport: " + requested + " does not match the event loop group, "
                            + "which runs " + candidate + " (expected: AUTO or " + candidate + ")");
                }
                return requested == TransportType.AUTO
                        ? new Transport(candidate, "AUTO: the event loop group given runs " + candidate)
                        : new Transport(candidate, "requested explicitly");
            }
        }
        throw new IllegalStateException("eventLoopGroup: " + group.getClass().getName()
                + " (expected: a MultiThreadIoEventLoopGroup with an epoll, io_uring, kqueue or NIO IoHandler)");
    }

    /** A transport taken as given, without checking that it is available: for planning options only. */
    static Transport unchecked(TransportType type) {
        return new Transport(type, "unchecked");
    }

    /** Netty's reason {@code type} is unavailable here, or {@code null} if it is available. */
    public static Throwable unavailabilityCause(TransportType type) {
        switch (type) {
            case AUTO:
            case NIO:
                return null;
            case EPOLL:
                return guarded(Epoll::unavailabilityCause);
            case IO_URING:
                return guarded(IoUring::unavailabilityCause);
            case KQUEUE:
                return guarded(KQueue::unavailabilityCause);
            default:
                throw new AssertionError(type);
        }
    }

    /**
     * What is wrong, in one line: the innermost cause's message. Netty wraps it, for example "Only supported on
     * OSX/BSD" inside a bare {@code ExceptionInInitializerError} for kqueue on Linux.
     */
    static String describe(Throwable unavailable) {
        Throwable root = unavailable;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root.getMessage() != null ? root.getMessage() : root.getClass().getName();
        return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").trim();
    }

    private static Throwable guarded(Supplier<Throwable> cause) {
        try {
            return cause.get();
        } catch (LinkageError e) {
            // The classes are on the class path but their native library is not for this platform.
            return e;
        }
    }

    private static boolean runs(EventLoopGroup group, TransportType type) {
        return group instanceof IoEventLoopGroup && ((IoEventLoopGroup) group).isIoType(ioHandlerClass(type));
    }

    private static Class<? extends IoHandler> ioHandlerClass(TransportType type) {
        switch (type) {
            case EPOLL:
                return EpollIoHandler.class;
            case IO_URING:
                return IoUringIoHandler.class;
            case KQUEUE:
                return KQueueIoHandler.class;
            case NIO:
                return NioIoHandler.class;
            default:
                throw new AssertionError(type);
        }
    }

    public TransportType type() {
        return type;
    }

    /** Why this transport was chosen, for the log. */
    public String reason() {
        return reason;
    }

    /** The I/O handler factory for a {@code MultiThreadIoEventLoopGroup} that runs this transport. */
    public IoHandlerFactory ioHandlerFactory() {
        switch (type) {
            case EPOLL:
                return EpollIoHandler.newFactory();
            case IO_URING:
                return IoUringIoHandler.newFactory();
            case KQUEUE:
                return KQueueIoHandler.newFactory();
            case NIO:
                return NioIoHandler.newFactory();
            default:
                throw new AssertionError(type);
        }
    }

    /** Creates client socket channels of this transport. */
    public ChannelFactory<? extends Channel> channelFactory() {
        switch (type) {
            case EPOLL:
                return EpollSocketChannel::new;
            case IO_URING:
                return IoUringSocketChannel::new;
            case KQUEUE:
                return KQueueSocketChannel::new;
            case NIO:
                return NioSocketChannel::new;
            default:
                throw new AssertionError(type);
        }
    }

    /** Whether the kernel enforces TCP_USER_TIMEOUT on this transport. */
    public boolean supportsUserTimeout() {
        return type == TransportType.EPOLL || type == TransportType.IO_URING;
    }

    /** The lower-case name used in log lines, such as {@code epoll}. */
    public String displayName() {
        return type.name().toLowerCase(java.util.Locale.ROOT);
    }

    @Override
    public String toString() {
        return displayName();
    }
}
