package io.resilientconnector.examples;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.resilientconnector.testing.LineServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.InputStream;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** On a terminal each event shows once: the library logs only warnings unless --verbose. */
class ConnectorMainLoggingTest {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @BeforeEach
    void capture() {
        logged.start();
        root.addAppender(logged);
    }

    @AfterEach
    void release() {
        root.detachAppender(logged);
    }

    @Test
    void logsNoInfoLineOfTheLibraryByDefault() throws Exception {
        runAgainstALineServer();

        assertThat(libraryLines(Level.INFO)).isEmpty();
    }

    @Test
    void logsTheLibrarysInfoLinesWithVerbose() throws Exception {
        runAgainstALineServer("--verbose");

        // Without the default above failing, this shows the connect and the close do log at INFO.
        assertThat(libraryLines(Level.INFO)).isNotEmpty();
        assertThat(LoggerFactory.getLogger("io.resilientconnector").isInfoEnabled())
                .as("the level is put back for the next run in this JVM").isEqualTo(levelBefore);
    }

    private boolean levelBefore;

    private void runAgainstALineServer(String... extra) throws Exception {
        levelBefore = LoggerFactory.getLogger("io.resilientconnector").isInfoEnabled();
        try (LineServer server = LineServer.start()) {
            String[] args = new String[4 + extra.length];
            args[0] = "--host";
            args[1] = "127.0.0.1";
            args[2] = "--port";
            args[3] = String.valueOf(server.port());
            System.arraycopy(extra, 0, args, 4, extra.length);
            InProcessMain run = InProcessMain.start(InputStream.nullInputStream(), DemoServer.Schedule.defaults(), args);
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED"));
            server.closeConnections();
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("DISCONNECTED"));
            await().atMost(Duration.ofSeconds(10)).until(() -> run.printed("CONNECTED") && run.outLines().stream()
                    .filter(l -> l.startsWith("CONNECTED ")).count() == 2);
            run.stop();
        }
    }

    private List<String> libraryLines(Level level) {
        synchronized (logged.list) {
            return logged.list.stream()
                    .filter(e -> e.getLoggerName().startsWith("io.resilientconnector") && e.getLevel() == level)
                    .map(e -> e.getLoggerName() + " " + e.getFormattedMessage()).toList();
        }
    }
}
