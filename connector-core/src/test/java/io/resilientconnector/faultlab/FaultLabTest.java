package io.resilientconnector.faultlab;

import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.BitSet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The lab itself, checked with plain JDK sockets: its peer, its faults, and that it leaves nothing behind. */
class FaultLabTest {

    @Test
    void peerCountsNumberedLinesAndAnswers() throws Exception {
        try (FaultLab lab = FaultLab.startForTest(); Socket s = connect(lab)) {
            OutputStream out = s.getOutputStream();
            out.write("0:a\n1:b\nnot numbered\n3:c\n4:cut short".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            await().atMost(Duration.ofSeconds(10)).until(() -> lab.stats().lines() == 4);
            BitSet expected = new BitSet();
            expected.set(0, 2);
            expected.set(3);
            assertThat(lab.receivedNumbers()).isEqualTo(expected);
            assertThat(lab.stats().accepted()).isEqualTo(1);

            assertThat(lab.sendLine("hello")).isEqualTo(1);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("hello");
        }
    }

    @Test
    void blackholeSilencesTheLinkAndHealRestoresIt() throws Exception {
        try (FaultLab lab = FaultLab.startForTest(); Socket s = connect(lab)) {
            lab.blackhole();
            assertThat(lab.sendLine("lost")).isEqualTo(1);
            s.setSoTimeout(1500);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(SocketTimeoutException.class);
            lab.heal();
            // The peer retransmits the line it could not deliver.
            s.setSoTimeout(10_000);
            BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
            assertThat(in.readLine()).isEqualTo("lost");
        }
    }

    @Test
    void resetSendsRst() throws Exception {
        try (FaultLab lab = FaultLab.startForTest(); Socket s = connect(lab)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> lab.stats().open() == 1);
            assertThat(lab.resetConnections()).isEqualTo(1);
            s.setSoTimeout(10_000);
            assertThatThrownBy(() -> s.getInputStream().read()).isInstanceOf(java.net.SocketException.class)
                    .hasMessageContaining("reset");
        }
    }

    @Test
    void closeRemovesTheNamespaceAndTheLink() throws Exception {
        FaultLab lab = FaultLab.startForTest();
        String namespace = lab.namespace();
        String ip = Commands.find("ip");
        assertThat(Commands.run(ip, "netns", "list")).contains(namespace);
        assertThat(Commands.run(ip, "-o", "link", "show")).contains(namespace + "h");
        lab.close();
        assertThat(Commands.run(ip, "netns", "list")).doesNotContain(namespace);
        assertThat(Commands.run(ip, "-o", "link", "show")).doesNotContain(namespace + "h");
    }

    @Test
    void sweepRemovesLeftoversOfADeadOwnerOnly() throws Exception {
        FaultLab.startForTest().close();
        String ip = Commands.find("ip");
        Process gone = new ProcessBuilder("true").start();
        gone.waitFor();
        String leftover = FaultLab.PREFIX + gone.pid() + "n0";
        String mine = FaultLab.PREFIX + ProcessHandle.current().pid() + "n999";
        Commands.run(ip, "netns", "add", leftover);
        Commands.run(ip, "netns", "add", mine);
        try {
            FaultLab.sweepLeftovers(ip);
            assertThat(Commands.run(ip, "netns", "list")).doesNotContain(leftover).contains(mine);
        } finally {
            Commands.run(ip, "netns", "del", mine);
            try {
                Commands.run(ip, "netns", "del", leftover);
            } catch (IOException expected) {
                // Already swept.
            }
        }
    }

    /** Connects, and waits until the peer has accepted: a connect completes with the handshake, before accept(). */
    private static Socket connect(FaultLab lab) throws IOException {
        int accepted = lab.stats().accepted();
        Socket s = new Socket();
        s.connect(lab.peerSocketAddress(), 10_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> lab.stats().accepted() > accepted);
        return s;
    }
}
