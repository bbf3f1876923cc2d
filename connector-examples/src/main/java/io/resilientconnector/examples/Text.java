package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;

/**
 * How the example writes values into its output lines: durations, addresses, and untrusted text. The example
 * keeps its own copy rather than borrowing the library's internals, so it uses only public API.
 */
final class Text {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private Text() {
    }

    /**
     * A short reading for a person, rounded: {@code 850ms} below a second, then seconds with at most one
     * decimal, such as {@code 1.2s} or {@code 30s}.
     */
    static String duration(Duration d) {
        long millis = d.toMillis();
        if (millis < 1000) {
            return millis + "ms";
        }
        long tenths = (millis + 50) / 100;
        return tenths % 10 == 0 ? tenths / 10 + "s" : tenths / 10 + "." + tenths % 10 + "s";
    }

    /** {@code host:port}, or {@code [v6]:port}, without the JDK's {@code name/address} doubling. */
    static String address(SocketAddress address) {
        if (address instanceof InetSocketAddress) {
            InetSocketAddress inet = (InetSocketAddress) address;
            String host = inet.getHostString();
            return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + inet.getPort();
        }
        return String.valueOf(address);
    }

    /**
     * Up to {@code maxBytes} readable bytes of {@code buf}, {@linkplain #escape escaped}, with a trailing
     * {@code ...} when cut. The buffer's indices are not changed.
     */
    static String preview(ByteBuf buf, int maxBytes) {
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

    /**
     * Escapes every character that is not printable ASCII: {@code \r}, {@code \n}, {@code \t} and {@code \\}
     * by name, other bytes as {@code \xHH}, and characters above U+00FF as {@code \}{@code uHHHH}. A peer's
     * bytes then cannot end a line, forge the next one, or send terminal escape sequences to the operator's
     * console. {@link Escapes#unescape} reads the same escapes back.
     */
    static String escape(CharSequence text) {
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
            case '\n':
                out.append("\\n");
                break;
            case '\r':
                out.append("\\r");
                break;
            case '\t':
                out.append("\\t");
                break;
            case '\\':
                out.append("\\\\");
                break;
            default:
                if (b >= 0x20 && b < 0x7f) {
                    out.append((char) b);
                } else {
                    out.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
                }
        }
    }
}
