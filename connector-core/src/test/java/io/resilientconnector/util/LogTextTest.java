package io.resilientconnector.util;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class LogTextTest {

    @Test
    void escapesLineBreaksSoAPeerCannotForgeLogLines() {
        ByteBuf buf = Unpooled.copiedBuffer("ok\r\n2026-01-01 INFO forged\n", StandardCharsets.US_ASCII);
        try {
            String preview = LogText.preview(buf, 100);
            assertThat(preview).isEqualTo("ok\\r\\n2026-01-01 INFO forged\\n").doesNotContain("\n", "\r");
            assertThat(buf.readerIndex()).isZero();
        } finally {
            buf.release();
        }
    }

    @Test
    void escapesTerminalEscapesAndBinary() {
        ByteBuf buf = Unpooled.wrappedBuffer(new byte[] {0x1b, '[', '2', 'J', 0, (byte) 0xff, '\\', '\t'});
        try {
            assertThat(LogText.preview(buf, 100)).isEqualTo("\\x1b[2J\\x00\\xff\\\\\\t");
        } finally {
            buf.release();
        }
    }

    @Test
    void truncatesLongPayloads() {
        ByteBuf buf = Unpooled.copiedBuffer("abcdefgh", StandardCharsets.US_ASCII);
        try {
            assertThat(LogText.preview(buf, 3)).isEqualTo("abc...");
            assertThat(LogText.preview(buf, 0)).isEqualTo("...");
        } finally {
            buf.release();
        }
    }

    @Test
    void escapesStrings() {
        assertThat(LogText.escape("a\nb\u2028c\u0007")).isEqualTo("a\\nb\\u2028c\\x07");
    }
}
