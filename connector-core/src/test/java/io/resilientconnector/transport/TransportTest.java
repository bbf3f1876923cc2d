package io.resilientconnector.transport;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.internal.PlatformDependent;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class TransportTest {

    @Test
    void autoPicksEpollOnLinuxAndSaysWhy() {
        assumeTrue(PlatformDependent.isOsx() == false && io.netty.channel.epoll.Epoll.isAvailable(),
                "epoll is not available here");
        Transport t = Transport.resolve(TransportType.AUTO);
        assertThat(t.type()).isEqualTo(TransportType.EPOLL);
        assertThat(t.reason()).isEqualTo("AUTO: epoll is available");
    }

    @Test
    void anUnavailableExplicitChoiceFailsWithNettysReason() {
        TransportType unavailable = PlatformDependent.isOsx() ? TransportType.EPOLL : TransportType.KQUEUE;
        Throwable cause = Transport.unavailabilityCause(unavailable);
        assertThat(cause).isNotNull();
        assertThatThrownBy(() -> Transport.resolve(unavailable)).isInstanceOf(IllegalStateException.class)
                .hasMessage("transport: " + unavailable + " is not available here: " + Transport.describe(cause))
                .hasCause(cause);
    }

    @Test
    void describesWhatIsWrongWithTheInnermostCause() {
        Throwable wrapped = new ExceptionInInitializerError(new UnsupportedOperationException("Only supported on\nOSX/BSD"));
        assertThat(Transport.describe(new IllegalStateException(wrapped))).isEqualTo("Only supported on OSX/BSD");
        assertThat(Transport.describe(new ExceptionInInitializerError())).isEqualTo("java.lang.ExceptionInInitializerError");
    }

    @Test
    void nioIsAlwaysAvailable() {
        assertThat(Transport.resolve(TransportType.NIO).type()).isEqualTo(TransportType.NIO);
        assertThat(Transport.unavailabilityCause(TransportType.NIO)).isNull();
    }

    @Test
    void aGivenGroupDecidesTheTransportUnderAuto() {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Transport t = Transport.forGroup(TransportType.AUTO, group);
            assertThat(t.type()).isEqualTo(TransportType.NIO);
            assertThat(t.reason()).contains("the event loop group given runs NIO");
            assertThat(Transport.forGroup(TransportType.NIO, group).type()).isEqualTo(TransportType.NIO);
            assertThatThrownBy(() -> Transport.forGroup(TransportType.EPOLL, group))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("transport: EPOLL does not match the event loop group, which runs NIO (expected: AUTO or NIO)");
        } finally {
            group.shutdownGracefully(0, 0, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
