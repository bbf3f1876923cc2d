package io.resilientconnector.examples;

import java.io.ByteArrayOutputStream;

/**
 * Turns text typed on a command line into bytes, with the escapes a shell user expects: {@code \r},
 * {@code \n}, {@code \t}, {@code \\} and {@code \xHH}. Everything else is taken as US-ASCII.
 */
final class Escapes {

    private Escapes() {
    }

    /** @throws IllegalArgumentException naming the bad escape or character */
    static byte[] unescape(String text) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c > 0x7e || c < 0x20) {
                throw new IllegalArgumentException("character " + (int) c + " at " + i + " is not printable ASCII; write it as \\xHH");
            }
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (i + 1 >= text.length()) {
                throw new IllegalArgumentException("a lone \\ at the end");
            }
            char e = text.charAt(++i);
            switch (e) {
                case 'r':
                    out.write('\r');
                    break;
                case 'n':
                    out.write('\n');
                    break;
                case 't':
                    out.write('\t');
                    break;
                case '\\':
                    out.write('\\');
                    break;
                case 'x': {
                    if (i + 2 >= text.length()) {
                        throw new IllegalArgumentException("\\x at " + (i - 1) + " needs two hex digits");
                    }
                    int hi = Character.digit(text.charAt(i + 1), 16);
                    int lo = Character.digit(text.charAt(i + 2), 16);
                    if (hi < 0 || lo < 0) {
                        throw new IllegalArgumentException("\\x at " + (i - 1) + " needs two hex digits");
                    }
                    out.write(hi << 4 | lo);
                    i += 2;
                    break;
                }
                default:
                    throw new IllegalArgumentException("unknown escape \\" + e + " at " + (i - 1));
            }
        }
        return out.toByteArray();
    }
}
