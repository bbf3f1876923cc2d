package io.resilientconnector.examples;

import io.resilientconnector.ConnectorOptions;
import io.resilientconnector.HeartbeatOptions;
import io.resilientconnector.InvalidOptionException;
import io.resilientconnector.handler.WriteProgressWatchdog;
import io.resilientconnector.transport.KeepAliveOptions;
import io.resilientconnector.transport.Transport;
import io.resilientconnector.transport.TransportType;
import io.resilientconnector.util.Durations;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Locale;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The command line, run in this JVM: invalid input gets one line naming the flag, and exit code 2. */
class ConnectorMainOptionsTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiterString = " => ", quoteCharacter = '"', value = {
            // args => the flag named => the expected form
            "--port 70000 => '--port' => (expected: 1..65535)",
            "--port 0 => '--port' => (expected: 1..65535)",
            "--port abc => '--port' => 'abc' is not an int",
            "--keepalive-count 200 => '--keepalive-count' => (expected: 1..127)",
            "--keepalive-count 0 => '--keepalive-count' => (expected: 1..127)",
            "--read-idle abc => '--read-idle' => (expected: a duration with a unit, such as 500ms, 5s, 2m, 1h or 1d)",
            "--read-idle -5s => '--read-idle' => (expected: a duration with a unit",
            "--connect-timeout 1.5s => '--connect-timeout' => (expected: a duration with a unit",
            "--keepalive-idle 1.5s => '--keepalive-idle' => (expected: a duration such as 500ms, 5s, 2m, 1h or 1d; a bare number means seconds)",
            // A bare number is seconds only where the flag says so; elsewhere it needs a unit.
            "--user-timeout 5000 => '--user-timeout': 5000 needs a unit, for example 5000ms or 5s => (expected: a duration with a unit",
            "--read-idle 5 => '--read-idle': 5 needs a unit, for example 5ms or 5s => (expected: a duration with a unit",
            "--attempt-delay 250 => '--attempt-delay': 250 needs a unit => (expected: a duration with a unit",
            "--backoff-max 30 => '--backoff-max': 30 needs a unit => (expected: a duration with a unit",
            "--heartbeat PING --heartbeat-idle 30 => '--heartbeat-idle': 30 needs a unit => (expected: a duration with a unit",
            "--transport foo => '--transport' => (expected: auto|epoll|io_uring|kqueue|nio)",
            "--bogus => '--bogus' => (expected: one of the options --help lists",
            "--prot 9999 => '--prot' => (expected: one of the options --help lists",
            "--host 127.0.0.1 => '--port' => (expected: --port 1..65535 with --host)",
            "--port => '--port' => (PORT)",
            "--metrics-port 0 => '--metrics-port' => (expected: 1..65535)",
            "--metrics-port 65536 => '--metrics-port' => (expected: 1..65535)",
            "--metrics-port abc => '--metrics-port' => 'abc' is not an int",
            // Rules that live in the core builders, restated in terms of the flag.
            "--keepalive-idle 500ms => '--keepalive-idle' => (expected: whole seconds in 1..32767)",
            "--keepalive-idle 40000 => '--keepalive-idle' => (expected: whole seconds in 1..32767)",
            "--keepalive-interval 0 => '--keepalive-interval' => (expected: whole seconds in 1..32767)",
            "--connect-timeout 0 => '--connect-timeout' => (expected: > 0 and <= 10m)",
            "--connect-timeout 11m => '--connect-timeout' => (expected: > 0 and <= 10m)",
            "--read-idle 2d => '--read-idle' => (expected: 0 to disable, or > 0 and <= 24h)",
            "--write-stall-timeout 2d => '--write-stall-timeout' => (expected: 0 to disable, or > 0 and <= 24h)",
            "--read-idle 25h => '--read-idle' => (expected: 0 to disable, or > 0 and <= 24h)",
            "--write-stall-timeout 50ms => '--write-stall-timeout' => (expected: 0 to disable, or 100ms..1d)",
            "--max-attempts -1 => '--max-attempts' => (expected: 0..2147483647)",
            "--read-idle-close-after -1 => '--read-idle-close-after' => (expected: 0..1000000)",
            "--backoff-initial 0 => '--backoff-initial' => (expected: > 0 and <= 24h)",
            "--backoff-max 0 => '--backoff-max' => (expected: > 0 and <= 24h)",
            "--backoff-initial 10s --backoff-max 2s => --backoff-initial: 10s is longer than --backoff-max: 2s => (expected: initialDelay <= maxDelay)",
            "--read-idle 0 --read-idle-close-after 3 => --read-idle-close-after: 3 needs read-idle detection, but --read-idle is 0 => (expected: --read-idle > 0",
            // The heartbeat and the proxy.
            "--heartbeat PING\\q => '--heartbeat' => unknown escape \\q",
            "--heartbeat PING\\x4 => '--heartbeat' => needs two hex digits",
            "--heartbeat PING --heartbeat-idle 5s --heartbeat-timeout 5s => --heartbeat-timeout: 5s is not shorter than --heartbeat-idle: 5s => (expected: timeout < idle)",
            "--heartbeat PING --heartbeat-idle 50ms => '--heartbeat-idle' => (expected: 100ms..24h)",
            // A flag that means something only with another is rejected without it, even at its default value.
            "--heartbeat-idle 5s => --heartbeat-idle needs --heartbeat TEXT => (expected: --heartbeat TEXT with it, or no --heartbeat-idle)",
            "--heartbeat-idle 30s => --heartbeat-idle needs --heartbeat TEXT => (expected: --heartbeat TEXT with it",
            "--heartbeat-timeout 10s => --heartbeat-timeout needs --heartbeat TEXT => (expected: --heartbeat TEXT with it",
            "--order ordered => --order chooses between endpoints, but there are none but the demo server => (expected: --endpoint HOST:PORT",
            "--host a.test --port 1 --order shuffle => --order chooses between endpoints, but there is only one => (expected: --endpoint HOST:PORT",
            "--endpoint a.test:1 --failback-after 5s => --failback-after chooses between endpoints, but there is only one => or no --failback-after)",
            // The pending-send limits.
            "--max-pending-messages -1 => '--max-pending-messages' => (expected: 0..1000000)",
            "--max-pending-bytes 2000000000 => '--max-pending-bytes' => (expected: 0..1073741824)",
            "--max-pending-bytes 4MB => '--max-pending-bytes' => '4MB' is not a long",
            "--proxy ftp://h:1 => '--proxy' => socks5://",
            "--proxy socks5://h => '--proxy' => socks5://",
            "--proxy http://u:secret@h:99999 => '--proxy' => ****",
            // Endpoints and how a pass goes through them.
            "--endpoint gateway.test => '--endpoint' => (expected: HOST:PORT, such as gateway.example:7000 or [::1]:7000)",
            "--endpoint gateway.test: => '--endpoint' => (expected: HOST:PORT",
            "--endpoint :7000 => '--endpoint' => (expected: HOST:PORT",
            "--endpoint ::1:7000 => '--endpoint' => (expected: HOST:PORT",
            "--endpoint gateway.test:abc => '--endpoint' => (expected: HOST:PORT",
            "--endpoint gateway.test:70000 => '--endpoint' => port 70000 (expected: 1..65535)",
            "--endpoint gateway.test:0 => '--endpoint' => port 0 (expected: 1..65535)",
            "--endpoint a.test:1 --endpoint a.test:1 => '--endpoint' => (expected: distinct endpoints; a.test:1 is given twice)",
            "--port 7000 --endpoint a.test:1 => '--port' => (expected: --host with --port, or HOST:PORT in each --endpoint)",
            "--endpoint a.test:1 --endpoint b.test:1 --order sideways => '--order' => (expected: ordered|shuffle|round_robin)",
            "--attempt-delay 5ms => '--attempt-delay' => (expected: 0, or 10ms..2s)",
            "--attempt-delay 3s => '--attempt-delay' => (expected: 0, or 10ms..2s)",
            "--endpoint a.test:1 --endpoint b.test:1 --failback-after 500ms => '--failback-after' => (expected: 0 to disable, or 1s..",
            "--endpoint a.test:1 --endpoint b.test:1 --order shuffle --failback-after 5s => --failback-after: 5s needs --order ORDERED, but it is SHUFFLE => (expected: --order ORDERED, or --failback-after 0)",
    })
    void rejectsInvalidInputWithOneLineNamingTheFlag(String args, String flag, String expected) {
        InProcessMain run = InProcessMain.run(args.trim().split("\\s+"));

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.errLines()).hasSize(1);
        assertThat(run.errLines().get(0)).contains(flag).contains(expected).doesNotContain("Exception");
        assertThat(run.out()).isEmpty();
    }

    @Test
    void rejectsAnEmptyHeartbeat() {
        InProcessMain run = InProcessMain.run("--heartbeat", "");

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.err()).startsWith("Invalid value for option '--heartbeat': 0 bytes (expected: 1..65536 bytes)");
    }

    @Test
    void rejectsABlankHost() {
        InProcessMain run = InProcessMain.run("--host", " ", "--port", "9999");

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.errLines()).singleElement().asString()
                .contains("'--host'").contains("(expected: a host name or IP address)");
    }

    @Test
    void rejectsATransportThatIsNotAvailableHere() {
        // Every platform lacks at least one of these: Linux has no kqueue, macOS no epoll, Windows none.
        TransportType unavailable = Stream.of(TransportType.EPOLL, TransportType.IO_URING, TransportType.KQUEUE)
                .filter(t -> Transport.unavailabilityCause(t) != null).findFirst().orElseThrow();
        String name = unavailable.name().toLowerCase(Locale.ROOT);

        InProcessMain run = InProcessMain.run("--transport", name, "--host", "127.0.0.1", "--port", "9");

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.errLines()).singleElement().asString()
                .contains("'--transport'").contains(name + " is not available here")
                .contains("(expected: auto, or a transport this machine supports)");
    }

    @Test
    void rejectsADemoServerPortThatIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InProcessMain run = InProcessMain.run("--port", String.valueOf(taken.getLocalPort()));

            assertThat(run.exitCode()).isCompletedWithValue(2);
            assertThat(run.errLines()).singleElement().asString()
                    .contains("'--port'").contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("(expected: a free port for the demo server, or no --port to pick one)");
        }
    }

    @Test
    void rejectsAMetricsPortThatIsTaken() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            InProcessMain run = InProcessMain.run("--metrics-port", String.valueOf(taken.getLocalPort()));

            assertThat(run.exitCode()).isCompletedWithValue(2);
            assertThat(run.errLines()).singleElement().asString()
                    .contains("'--metrics-port'").contains("cannot listen on 127.0.0.1:" + taken.getLocalPort())
                    .contains("(expected: a free port)");
        }
    }

    @Test
    void acceptsTransportNamesInAnyCase() {
        assertThat(new TransportConverter().convert("io_uring")).isEqualTo(TransportType.IO_URING);
        assertThat(new TransportConverter().convert("IO-URING")).isEqualTo(TransportType.IO_URING);
        assertThat(new TransportConverter().convert("Nio")).isEqualTo(TransportType.NIO);
    }

    @Test
    void helpExitsZeroAndListsEveryFlagWithTheLibraryDefaults() {
        InProcessMain run = InProcessMain.run("--help");

        assertThat(run.exitCode()).isCompletedWithValue(0);
        assertThat(run.err()).isEmpty();
        assertThat(run.out()).contains("--endpoint", "--order", "--attempt-delay", "--failback-after");
        assertThat(run.out().replaceAll("\\s+", " ")).contains("Default: ordered", "Default: 250ms");
        assertThat(run.out()).contains("--host", "--port", "--transport", "--keepalive-idle", "--keepalive-interval",
                "--keepalive-count", "--user-timeout", "--read-idle", "--read-idle-close-after", "--connect-timeout",
                "--write-stall-timeout", "--backoff-initial", "--backoff-max", "--max-attempts", "--tls", "--tls-trust",
                "--help");
        assertThat(run.out().replaceAll("\\s+", " ")).contains("Default: 60s", "Default: 15s", "Default: 4.", "Default: 5s", "Default: auto",
                "Default: 10s", "Default: 1s", "Default: 30s");
        // The ranges and defaults in the help text are the library's.
        String help = run.out().replaceAll("\\s+", " ");
        assertThat(help).contains("1.." + KeepAliveOptions.MAX_SECONDS, "1.." + KeepAliveOptions.MAX_COUNT,
                Durations.format(ConnectorOptions.MAX_CONNECT_TIMEOUT),
                Durations.format(WriteProgressWatchdog.MIN_STALL_TIMEOUT) + "..",
                "0.." + ConnectorOptions.MAX_PENDING_MESSAGES, "0.." + ConnectorOptions.MAX_PENDING_BYTES,
                "Default: " + ConnectorOptions.DEFAULT_MAX_PENDING_MESSAGES + ".",
                "Default: " + ConnectorOptions.DEFAULT_MAX_PENDING_BYTES + ".",
                Durations.format(ConnectorOptions.MIN_ATTEMPT_DELAY) + ".." + Durations.format(ConnectorOptions.MAX_ATTEMPT_DELAY),
                Durations.format(ConnectorOptions.MIN_FAILBACK_AFTER) + ".." + Durations.format(ConnectorOptions.MAX_FAILBACK_AFTER),
                Durations.format(HeartbeatOptions.MIN_DURATION) + ".." + Durations.format(HeartbeatOptions.MAX_DURATION),
                "1.." + HeartbeatOptions.MAX_PROBE_BYTES + " bytes",
                "(" + KeepAliveOptions.defaults().userTimeout().toSeconds() + "s with the default keepalive)",
                "--max-pending-messages", "--max-pending-bytes", "--verbose", "--metrics-port");
    }

    @Test
    void helpHasNoRangeTheLibraryDoesNotState() {
        // Every a..b range in a flag's help must be one a builder states when it rejects a value.
        java.util.regex.Pattern range = java.util.regex.Pattern.compile("\\d+[a-z]*\\.\\.\\d+[a-z]*");
        String[] rejected = {
                catchThrowableOfType(InvalidOptionException.class, () -> io.resilientconnector.Endpoint.of("h", 0)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> KeepAliveOptions.builder().count(0)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> KeepAliveOptions.builder().idle(java.time.Duration.ZERO)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> KeepAliveOptions.builder().userTimeout(java.time.Duration.ofNanos(1))).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().attemptDelay(java.time.Duration.ofMillis(1))).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().failbackAfter(java.time.Duration.ofMillis(1))).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().readIdleCloseAfter(-1)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().writeStallTimeout(java.time.Duration.ofNanos(1))).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().tlsHandshakeTimeout(java.time.Duration.ZERO)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().maxPendingMessages(-1)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> ConnectorOptions.builder().maxPendingBytes(-1)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> io.resilientconnector.ReconnectPolicy.builder().maxAttempts(-1)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> HeartbeatOptions.builder().idle(java.time.Duration.ZERO)).expected(),
                catchThrowableOfType(InvalidOptionException.class, () -> HeartbeatOptions.builder().probe(new byte[0])).expected()};
        for (Flag<?> flag : Flags.all()) {
            java.util.regex.Matcher m = range.matcher(flag.help());
            while (m.find()) {
                String found = m.group();
                assertThat(rejected).as("%s: %s", flag.name(), found).anyMatch(expected -> expected.contains(found));
            }
        }
    }

    @Test
    void acceptsEveryUnitTheHelpNames() throws Exception {
        try (InProcessMain run = InProcessMain.start(java.io.InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                "--host", "127.0.0.1", "--port", String.valueOf(io.resilientconnector.testing.Ports.closed()),
                "--write-stall-timeout", "1d", "--user-timeout", "5000ms", "--keepalive-idle", "30",
                "--keepalive-interval", "1m", "--read-idle", "0", "--backoff-initial", "10s", "--backoff-max", "1h",
                "--max-pending-messages", "7", "--max-pending-bytes", "1000")) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> run.main.connector() != null);
            ConnectorOptions options = run.main.connector().options();

            assertThat(options.writeStallTimeout()).isEqualTo(java.time.Duration.ofDays(1));
            assertThat(options.keepAlive().userTimeout()).isEqualTo(java.time.Duration.ofSeconds(5));
            assertThat(options.keepAlive().idle()).isEqualTo(java.time.Duration.ofSeconds(30));
            assertThat(options.keepAlive().interval()).isEqualTo(java.time.Duration.ofMinutes(1));
            assertThat(options.readIdlePeriod()).isZero();
            assertThat(options.reconnect().maxDelay()).isEqualTo(java.time.Duration.ofHours(1));
            assertThat(options.maxPendingMessages()).isEqualTo(7);
            assertThat(options.maxPendingBytes()).isEqualTo(1000);
        }
    }

    @Test
    void takesTheLibraryDefaultsForThePendingLimits() throws Exception {
        try (InProcessMain run = InProcessMain.start(java.io.InputStream.nullInputStream(), DemoServer.Schedule.defaults(),
                "--host", "127.0.0.1", "--port", String.valueOf(io.resilientconnector.testing.Ports.closed()),
                "--backoff-initial", "10s")) {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10)).until(() -> run.main.connector() != null);

            assertThat(run.main.connector().options().maxPendingMessages()).isEqualTo(ConnectorOptions.DEFAULT_MAX_PENDING_MESSAGES);
            assertThat(run.main.connector().options().maxPendingBytes()).isEqualTo(ConnectorOptions.DEFAULT_MAX_PENDING_BYTES);
        }
    }

    @Test
    void rejectsATrustFileThatIsNotThere() {
        InProcessMain run = InProcessMain.run("--host", "127.0.0.1", "--port", "9999", "--tls-trust", "/no/such/ca.pem");

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.errLines()).singleElement().asString().startsWith("Invalid value for option '--tls-trust': ")
                .endsWith("is not a readable file (expected: a PEM file of CA certificates)");
    }

    @Test
    void rejectsATrustFileThatIsNotPem() throws Exception {
        java.nio.file.Path garbage = java.nio.file.Files.createTempFile("garbage", ".pem");
        java.nio.file.Files.writeString(garbage, "not a certificate\n");
        try {
            InProcessMain run = InProcessMain.run("--host", "127.0.0.1", "--port", "9999", "--tls-trust", garbage.toString());
            assertThat(run.exitCode()).isCompletedWithValue(2);
            assertThat(run.errLines()).singleElement().asString().startsWith("Invalid value for option '--tls-trust': ")
                    .endsWith("(expected: a PEM file of CA certificates)");
        } finally {
            java.nio.file.Files.delete(garbage);
        }
    }

    @Test
    void rejectsTlsWithTheDemoServer() {
        InProcessMain run = InProcessMain.run("--tls");

        assertThat(run.exitCode()).isCompletedWithValue(2);
        assertThat(run.errLines()).singleElement().asString().contains("'--tls'").contains("the demo server speaks plain TCP");
    }

    @Test
    void translatesBuilderNamesToFlags() {
        assertThat(Flags.restate("reconnect.initialDelay: 5s is longer than reconnect.maxDelay: 2s "
                + "(expected: initialDelay <= maxDelay)"))
                .isEqualTo("--backoff-initial: 5s is longer than --backoff-max: 2s (expected: initialDelay <= maxDelay)");
        assertThat(Flags.restate("keepAlive.userTimeout: 5ns")).isEqualTo("--user-timeout: 5ns");
    }

    @Test
    void namesTheFlagsOfTheEndpointOptions() {
        assertThat(Flags.flagFor(catchThrowableOfType(InvalidOptionException.class,
                () -> ConnectorOptions.builder().attemptDelay(java.time.Duration.ofMillis(5))).option())).isEqualTo("--attempt-delay");
        assertThat(Flags.flagFor(catchThrowableOfType(InvalidOptionException.class,
                () -> ConnectorOptions.builder().failbackAfter(java.time.Duration.ofMillis(5))).option())).isEqualTo("--failback-after");
        assertThat(Flags.flagFor(catchThrowableOfType(InvalidOptionException.class,
                () -> ConnectorOptions.builder().endpoints(java.util.List.of())).option())).isEqualTo("--endpoint");
        assertThat(Flags.flagFor("endpointOrder")).isEqualTo("--order");
    }

    @Test
    void namesTheFlagFromTheOptionTheBuilderRejected() {
        InvalidOptionException e = catchThrowableOfType(InvalidOptionException.class,
                () -> KeepAliveOptions.builder().count(200));
        assertThat(Flags.flagFor(e.option())).isEqualTo("--keepalive-count");
        assertThat(Flags.flagFor("port")).isEqualTo("--port");
        assertThat(Flags.flagFor("host")).isEqualTo("--host");
    }
}
