package io.resilientconnector.testing;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CloserTest {

    private final Closer closer = new Closer();
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    private AutoCloseable failing(String name, Exception failure) {
        return () -> {
            closed.add(name);
            throw failure;
        };
    }

    @Test
    void closesTheLastAddedFirst() throws Exception {
        closer.add(named("server"));
        closer.add(new StringBuilder("resources"), sb -> closed.add(sb.toString()));
        closer.add(named("connector"));

        closer.close();

        assertThat(closed).containsExactly("connector", "resources", "server");
    }

    @Test
    void addReturnsItsArgument() {
        AutoCloseable server = named("server");
        StringBuilder resource = new StringBuilder();

        assertThat(closer.add(server)).isSameAs(server);
        assertThat(closer.add(resource, sb -> { })).isSameAs(resource);
    }

    @Test
    void aThrowingCloseDoesNotStopTheOthersAndTheFirstFailureIsThrownWithTheLaterSuppressed() {
        IOException serverFailure = new IOException("server");
        IllegalStateException connectorFailure = new IllegalStateException("connector");
        closer.add(failing("server", serverFailure));
        closer.add(named("resources"));
        closer.add(failing("connector", connectorFailure));

        assertThatThrownBy(closer::close).isSameAs(connectorFailure).hasSuppressedException(serverFailure);
        assertThat(closed).containsExactly("connector", "resources", "server");
    }

    @Test
    void anErrorFromACloseIsReportedToo() {
        AssertionError failure = new AssertionError("still open");
        closer.add(named("server"));
        closer.add(() -> {
            throw failure;
        });

        assertThatThrownBy(closer::close).isSameAs(failure);
        assertThat(closed).containsExactly("server");
    }

    @Test
    void closesEachOnlyOnce() throws Exception {
        closer.add(named("server"));
        closer.close();
        closer.close();

        assertThat(closed).containsExactly("server");
    }

    @Test
    void shutsDownAnEventLoopGroupAndWaitsForIt() throws Exception {
        EventLoopGroup group = closer.addGroup(new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory()));

        closer.close();

        assertThat(group.isTerminated()).isTrue();
    }
}
