package io.resilientconnector.util;

import io.netty.buffer.ByteBuf;

/**
 * Renders untrusted bytes for a log line. Every byte outside printable ASCII is escaped, so a peer cannot
 * break a line, forge a new one, or smuggle terminal escape sequences into an operator's console.
 */
public final class LogText {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private LogText() {
    }

    /**
     * Up to {@code maxBytes} readable bytes of {@code buf}, escaped, with a trailing {@code ...} when cut.
     * The buffer's indices are not changed.
     */
    public static String preview(ByteBuf buf, int maxBytes) {
        int length = Math.min(buf.readableBytes(), maxBytes);
        StringBuilder out = new StringBuilder(length + 8);
        int start = buf.readerIndex();
        for (int i = 0; i < length; i++) {
            appendEscaped(out, buf.getByte(start + i) & 0xff);
        }
        if (buf.readableBytes() > maxBytes) {
            out.append("...");
        }
        return out.toString();
    }

    /** Escapes every character of {@code text} that is not printable ASCII. */
    public static String escape(CharSequence text) {
        StringBuilder out = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0xff) {
                out.append("\\u").append(HEX[c >> 12 & 0xf]).append(HEX[c >> 8 & 0xf])
                        .append(HEX[c >> 4 & 0xf]).append(HEX[c & 0xf]);
            } else {
                appendEscaped(out, c);
            }
        }
        return out.toString();
    }

    private static void appendEscaped(StringBuilder out, int b) {
        switch (b) {
            case '\n': out.append("\\n"); break;
            case '\r': out.append("\\r"); break;
            case '\t': out.append("\\t"); break;
            case '\\': out.append("\\\\"); break;
            default:
                if (b >= 0x20 && b < 0x7f) {
                    out.append((char) b);
                } else {
                    out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
                }
        }
    }
}
