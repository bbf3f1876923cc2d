package io.resilientconnector.handler;

import ch.qos.logback.classic.Level;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.resilientconnector.testing.LogCapture;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReceivedBytesLoggerTest {

    @Test
    void logsSizeAndAnEscapedPreviewAndPassesTheBufferOn() {
        try (LogCapture log = LogCapture.of(ReceivedBytesLogger.class, Level.DEBUG)) {
            EmbeddedChannel ch = new EmbeddedChannel(new ReceivedBytesLogger());
            ch.writeInbound(Unpooled.copiedBuffer("temp=21\r\nINFO forged line\n", StandardCharsets.US_ASCII));
            ByteBuf passedOn = ch.readInbound();
            assertThat(passedOn.toString(StandardCharsets.US_ASCII)).isEqualTo("temp=21\r\nINFO forged line\n");
            passedOn.release();
            assertThat(log.messages()).singleElement().asString()
                    .endsWith("received 26 bytes: \"temp=21\\r\\nINFO forged line\\n\"")
                    .doesNotContain("\n", "\r");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void logsNoPayloadAtInfoByDefault() {
        try (LogCapture log = LogCapture.of(ReceivedBytesLogger.class, Level.INFO)) {
            EmbeddedChannel ch = new EmbeddedChannel(new ReceivedBytesLogger());
            ch.writeInbound(Unpooled.copiedBuffer("secret", StandardCharsets.US_ASCII));
            assertThat(log.messages()).isEmpty();
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void truncatesThePreviewAndHonoursTheConfiguredLevel() {
        try (LogCapture log = LogCapture.of(ReceivedBytesLogger.class, Level.INFO)) {
            EmbeddedChannel ch = new EmbeddedChannel(new ReceivedBytesLogger(org.slf4j.event.Level.INFO, 4));
            ch.writeInbound(Unpooled.copiedBuffer("abcdefgh", StandardCharsets.US_ASCII));
            assertThat(log.messages(Level.INFO)).singleElement().asString().endsWith("received 8 bytes: \"abcd...\"");
            ch.finishAndReleaseAll();
        }
    }

    @Test
    void rejectsAnOversizedPreview() {
        assertThatThrownBy(() -> new ReceivedBytesLogger(org.slf4j.event.Level.DEBUG, 5000))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("previewBytes: 5000 (expected: 0..4096)");
    }
}
