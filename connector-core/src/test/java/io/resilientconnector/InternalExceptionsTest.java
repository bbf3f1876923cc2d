package io.resilientconnector;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exceptions that reach users are public types: a {@link Disconnection}'s exception, a send's failure, a
 * listener's argument. Only two exception types live in {@code internal}, and neither leaves it: the pass's
 * summary is replaced by its last address's own exception (or a plain {@code ConnectException}) before a
 * {@code Disconnection} is made of it, and a failed setup only carries a {@code Disconnection} between two
 * internal classes. A new internal exception type must be added here, with the reason it never escapes.
 */
class InternalExceptionsTest {

    @Test
    void noExceptionTypeLivesInInternalButTheTwoThatNeverLeaveIt() throws IOException, URISyntaxException {
        Path classes = Path.of(ConnectorOptions.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path internal = classes.resolve("io/resilientconnector/internal");
        List<String> throwables;
        try (Stream<Path> files = Files.walk(internal)) {
            throwables = files.filter(f -> f.toString().endsWith(".class"))
                    .map(f -> classes.relativize(f).toString().replace('/', '.').replaceAll("\\.class$", ""))
                    .filter(InternalExceptionsTest::isThrowable)
                    .sorted()
                    .toList();
        }

        assertThat(throwables).containsExactly(
                "io.resilientconnector.internal.connect.ConnectFailedException",
                "io.resilientconnector.internal.session.PassAttempt$SetupFailed");
    }

    @Test
    void theExceptionsThatDoReachUsersArePublicApi() {
        assertThat(ProxyHandshakeException.class.getPackageName()).isEqualTo("io.resilientconnector");
        assertThat(ResolveTimeoutException.class.getPackageName()).isEqualTo("io.resilientconnector");
        assertThat(new ResolveTimeoutException("feed.example", java.time.Duration.ofSeconds(2)))
                .isInstanceOf(java.net.UnknownHostException.class)
                .hasMessage("feed.example: lookup timed out after 2s");
    }

    private static boolean isThrowable(String name) {
        try {
            return Throwable.class.isAssignableFrom(Class.forName(name, false, InternalExceptionsTest.class.getClassLoader()));
        } catch (ClassNotFoundException e) {
            throw new AssertionError(e);
        }
    }
}
