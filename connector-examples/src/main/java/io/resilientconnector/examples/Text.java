package io.resilientconnector.examples;

import io.netty.buffer.ByteBuf;

import java.lang.reflect.Modifier;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How the example writes values into its output lines: durations, addresses, and untrusted text. The example
 * keeps its own copy rather than borrowing the library's internals, so it uses only public API.
 */
final class Text {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    /** The library's root package; its {@code util} package, like {@code internal}, is not public API. */
    private static final String LIBRARY = "io.resilientconnector";

    /** A qualified Java class name, as an exception's {@code toString()} puts into the message that wraps it. */
    private static final Pattern CLASS_NAME = Pattern.compile("\\b(?:[a-z_][a-z0-9_]*\\.)+[A-Z][A-Za-z0-9_$]*");

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

    /**
     * What {@code error} says, for an output line: {@code ConnectException: Connection refused}. The type is the
     * nearest {@linkplain #publicType public} one, and any class named inside the message is restated the same
     * way, so no internal type name reaches the output: users should not learn to depend on one.
     */
    static String error(Throwable error) {
        String type = publicType(error.getClass()).getSimpleName();
        return error.getMessage() == null ? type : type + ": " + withPublicTypes(error.getMessage());
    }

    /** {@code type}, or its nearest supertype that is public API: public, and in no {@code internal} package. */
    static Class<?> publicType(Class<?> type) {
        Class<?> c = type;
        while (c != null && !isPublicApi(c)) {
            c = c.getSuperclass();
        }
        return c != null ? c : Object.class;
    }

    private static boolean isPublicApi(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getEnclosingClass()) {
            String pkg = c.getPackageName();
            if (!Modifier.isPublic(c.getModifiers()) || c.isAnonymousClass() || c.isLocalClass()
                    || pkg.contains(".internal") || pkg.startsWith("jdk.internal") || pkg.startsWith("sun.")
                    || pkg.equals(LIBRARY + ".util")) {
                return false;
            }
        }
        return true;
    }

    /** {@code message} with each class name in it that names an exception type replaced by its public type's simple name. */
    private static String withPublicTypes(String message) {
        Matcher m = CLASS_NAME.matcher(message);
        StringBuilder out = new StringBuilder(message.length());
        while (m.find()) {
            String replacement = m.group();
            try {
                Class<?> c = Class.forName(m.group(), false, Text.class.getClassLoader());
                if (Throwable.class.isAssignableFrom(c)) {
                    replacement = publicType(c).getSimpleName();
                }
            } catch (ClassNotFoundException | LinkageError notAClass) {
                // A host name or some other dotted word: kept as it is.
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        return m.appendTail(out).toString();
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
