package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class TextTest {

    @Test
    void escapesLineBreaksSoAPeerCannotForgeAnOutputLine() {
        String forged = "ok\r\nDISCONNECTED cause=PEER_CLOSED";
        assertThat(Text.escape(forged)).isEqualTo("ok\\r\\nDISCONNECTED cause=PEER_CLOSED").doesNotContain("\n", "\r");
    }

    @Test
    void escapesTabsBackslashesControlBytesAndNonAscii() {
        assertThat(Text.escape("a\tb\\c\u001b[31md\u007f\u00e9\u2028")).isEqualTo("a\\tb\\\\c\\x1b[31md\\x7f\\xe9\\u2028");
    }

    @Test
    void previewsEscapedBytesWithoutConsumingThem() {
        ByteBuf buf = Unpooled.copiedBuffer("hi\n\u0000there", StandardCharsets.ISO_8859_1);
        try {
            assertThat(Text.preview(buf, 4)).isEqualTo("hi\\n\\x00...");
            assertThat(Text.preview(buf, 64)).isEqualTo("hi\\n\\x00there");
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void escapedTextReadsBackAsTheSameBytes() {
        String text = "line\r\n\t\\ \u0001end";
        assertThat(Escapes.unescape(Text.escape(text))).isEqualTo(text.getBytes(StandardCharsets.US_ASCII));
    }

    @Test
    void formatsDurationsAndAddresses() {
        assertThat(Text.duration(Duration.ofMillis(850))).isEqualTo("850ms");
        assertThat(Text.duration(Duration.ofMillis(1240))).isEqualTo("1.2s");
        assertThat(Text.duration(Duration.ofSeconds(30))).isEqualTo("30s");
        assertThat(Text.address(new InetSocketAddress("127.0.0.1", 7000))).isEqualTo("127.0.0.1:7000");
        assertThat(Text.address(new InetSocketAddress("::1", 7000))).isEqualTo("[0:0:0:0:0:0:0:1]:7000");
    }
}
