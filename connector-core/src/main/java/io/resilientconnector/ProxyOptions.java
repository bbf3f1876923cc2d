package io.resilientconnector;

import io.netty.handler.proxy.HttpProxyHandler;
import io.netty.handler.proxy.ProxyHandler;
import io.netty.handler.proxy.Socks5ProxyHandler;
import io.netty.util.NetUtil;
import io.resilientconnector.util.Checks;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * A proxy to reach the endpoint through: SOCKS5 (RFC 1928) or HTTP CONNECT, with optional user name and
 * password (SOCKS5 username/password authentication, RFC 1929; HTTP basic authentication). An immutable value.
 *
 * <pre>{@code
 * ConnectorOptions options = ConnectorOptions.builder()
 *         .endpoint("gateway.internal", 7000)
 *         .proxy(ProxyOptions.parse("socks5://alice:secret@127.0.0.1:1080"))
 *         .build();
 * }</pre>
 *
 * <p>The connection goes to the proxy, and the proxy connects to the endpoint: the endpoint's name is resolved
 * by the proxy, the proxy's name by the connector's {@code HostResolver}. Keepalive, the user timeout and the
 * write-stall watchdog watch the TCP hop to the proxy only; use read-idle detection or an application heartbeat to
 * notice a dead endpoint behind a live proxy.
 *
 * <p>{@link #toString()} masks the password.
 */
public final class ProxyOptions {

    /** The proxy protocol. */
    public enum Type {
        /** SOCKS version 5 (RFC 1928), with username/password authentication (RFC 1929) when credentials are set. */
        SOCKS5("socks5"),
        /** An HTTP proxy that tunnels with {@code CONNECT}, with basic authentication when credentials are set. */
        HTTP("http");

        private final String scheme;

        Type(String scheme) {
            this.scheme = scheme;
        }

        /** The URL scheme {@link #parse} accepts for this type: {@code socks5} or {@code http}. */
        public String scheme() {
            return scheme;
        }
    }

    /** RFC 1929 carries the user name and the password in at most 255 bytes each. */
    public static final int MAX_CREDENTIAL_BYTES = 255;

    private static final String MASK = "****";
    private static final String EXPECTED_FORM = "socks5://[user:password@]host:port or http://[user:password@]host:port";

    private final Type type;
    private final String host;
    private final int port;
    private final String userName;
    private final String password;

    private ProxyOptions(Builder b) {
        this.type = b.type;
        this.host = b.host;
        this.port = b.port;
        this.userName = b.userName;
        this.password = b.password;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A SOCKS5 proxy without authentication. */
    public static ProxyOptions socks5(String host, int port) {
        return builder().type(Type.SOCKS5).address(host, port).build();
    }

    /** An HTTP CONNECT proxy without authentication. */
    public static ProxyOptions http(String host, int port) {
        return builder().type(Type.HTTP).address(host, port).build();
    }

    /**
     * Reads {@code socks5://[user:password@]host:port} or {@code http://[user:password@]host:port}. The scheme
     * is case-insensitive; an IPv6 host goes in brackets; a user name or password with {@code :}, {@code @}
     * or other reserved characters is percent-encoded, as in any URL.
     *
     * @throws NullPointerException     if {@code url} is null
     * @throws InvalidOptionException if {@code url} is not of that form or a part is out of range; it names
     *                                {@code proxy}, the value with its password masked, and the expected form
     *                                with what is wrong
     */
    public static ProxyOptions parse(String url) {
        Checks.notNull(url, "proxy");
        try {
            return parseOrThrow(url.trim());
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new InvalidOptionException("proxy", "\"" + mask(url) + "\"", EXPECTED_FORM + "; " + e.getMessage());
        }
    }

    private static ProxyOptions parseOrThrow(String url) {
        int schemeEnd = url.indexOf("://");
        if (schemeEnd <= 0) {
            throw new IllegalArgumentException("no scheme");
        }
        String scheme = url.substring(0, schemeEnd).toLowerCase(Locale.ROOT);
        Type type = null;
        for (Type t : Type.values()) {
            if (t.scheme.equals(scheme)) {
                type = t;
            }
        }
        if (type == null) {
            throw new IllegalArgumentException("unsupported scheme " + scheme);
        }
        String rest = url.substring(schemeEnd + 3);
        if (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        Builder b = builder().type(type);
        int at = rest.lastIndexOf('@');
        if (at >= 0) {
            String userInfo = rest.substring(0, at);
            int colon = userInfo.indexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("a user name without a password");
            }
            b.credentials(percentDecode(userInfo.substring(0, colon)), percentDecode(userInfo.substring(colon + 1)));
            rest = rest.substring(at + 1);
        }
        if (rest.indexOf('/') >= 0 || rest.indexOf('?') >= 0 || rest.indexOf('#') >= 0) {
            throw new IllegalArgumentException("a path, query or fragment");
        }
        String host;
        String port;
        if (rest.startsWith("[")) {
            int close = rest.indexOf(']');
            if (close < 0 || !rest.startsWith(":", close + 1)) {
                throw new IllegalArgumentException("no port");
            }
            host = rest.substring(1, close);
            port = rest.substring(close + 2);
        } else {
            int colon = rest.lastIndexOf(':');
            if (colon < 0) {
                throw new IllegalArgumentException("no port");
            }
            host = rest.substring(0, colon);
            port = rest.substring(colon + 1);
        }
        if (port.isEmpty() || port.length() > 5 || !port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("port \"" + port + "\" is not a number");
        }
        return b.address(host, Integer.parseInt(port)).build();
    }

    private static String percentDecode(String s) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                int hi = i + 2 < s.length() ? Character.digit(s.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(s.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("a malformed percent escape in the user name or password");
                }
                bytes.write(hi << 4 | lo);
                i += 2;
            } else {
                byte[] utf8 = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
                bytes.write(utf8, 0, utf8.length);
            }
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /** {@code url} with whatever stands between the user name's colon and the last {@code @} masked. */
    private static String mask(String url) {
        int start = url.indexOf("://");
        start = start < 0 ? 0 : start + 3;
        int at = url.lastIndexOf('@');
        int colon = url.indexOf(':', start);
        if (at > start && colon >= 0 && colon < at) {
            return url.substring(0, colon + 1) + MASK + url.substring(at);
        }
        return url;
    }

    public Builder toBuilder() {
        Builder b = new Builder().type(type).address(host, port);
        b.userName = userName;
        b.password = password;
        return b;
    }

    public Type type() {
        return type;
    }

    /** The proxy's host name or IP literal (without brackets). */
    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** The user name, or {@code null} without authentication. */
    public String userName() {
        return userName;
    }

    /** The password, or {@code null} without authentication. Never logged: {@link #toString()} masks it. */
    public String password() {
        return password;
    }

    /** Whether a user name and password are sent. */
    public boolean authenticates() {
        return userName != null;
    }

    /** {@code host:port}, with an IPv6 host in brackets. */
    public String address() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }

    /**
     * A new Netty handler for one channel, with the proxy's address unresolved: the connector resolves it on
     * each attempt, off the event loop.
     */
    ProxyHandler newHandler() {
        InetSocketAddress proxy = InetSocketAddress.createUnresolved(host, port);
        if (type == Type.SOCKS5) {
            return new Socks5ProxyHandler(proxy, userName, password);
        }
        return userName == null ? new HttpProxyHandler(proxy) : new HttpProxyHandler(proxy, userName, password);
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof ProxyOptions)) {
            return false;
        }
        ProxyOptions that = (ProxyOptions) o;
        return type == that.type && host.equals(that.host) && port == that.port
                && Objects.equals(userName, that.userName) && Objects.equals(password, that.password);
    }

    @Override
    public int hashCode() {
        return Objects.hash(type, host, port, userName, password);
    }

    /** For example {@code ProxyOptions{socks5://alice:****@127.0.0.1:1080}}: the password is always masked. */
    @Override
    public String toString() {
        return "ProxyOptions{" + type.scheme + "://" + (userName == null ? "" : userName + ":" + MASK + "@")
                + address() + '}';
    }

    public static final class Builder {
        private Type type;
        private String host;
        private int port;
        private String userName;
        private String password;

        private Builder() {
        }

        /** Required. */
        public Builder type(Type type) {
            this.type = Checks.notNull(type, "proxy.type");
            return this;
        }

        /** The proxy's host name or IP literal, and its port (1..65535). Required. */
        public Builder address(String host, int port) {
            Checks.notNull(host, "proxy.host");
            String h = host.trim();
            if (h.startsWith("[") && h.endsWith("]")) {
                h = h.substring(1, h.length() - 1);
            }
            if (h.isEmpty() || h.chars().anyMatch(c -> Character.isWhitespace(c) || c == '/' || c == '@'
                    || c == '[' || c == ']') || h.indexOf(':') >= 0 && !NetUtil.isValidIpV6Address(h)) {
                throw new IllegalArgumentException("proxy.host: \"" + host
                        + "\" (expected: a host name, an IPv4 literal or an IPv6 literal)");
            }
            this.port = Checks.inRange(port, 1, 65535, "proxy.port");
            this.host = h;
            return this;
        }

        /**
         * Authenticates with this user name and password: SOCKS5 username/password, or HTTP basic. Each is
         * 1..255 bytes in UTF-8; for HTTP the user name may not contain {@code :}. Defaults to none.
         */
        public Builder credentials(String userName, String password) {
            this.userName = credential(userName, "proxy.userName");
            this.password = credential(password, "proxy.password");
            return this;
        }

        /** Sends no credentials (the default). */
        public Builder noCredentials() {
            this.userName = null;
            this.password = null;
            return this;
        }

        private static String credential(String value, String name) {
            Checks.notNull(value, name);
            int bytes = value.getBytes(StandardCharsets.UTF_8).length;
            if (bytes == 0 || bytes > MAX_CREDENTIAL_BYTES) {
                // The length only: the value may be a password.
                throw new IllegalArgumentException(name + ": " + bytes + " bytes (expected: 1.." + MAX_CREDENTIAL_BYTES
                        + " bytes in UTF-8)");
            }
            return value;
        }

        /**
         * @throws IllegalStateException if the type or the address is missing, or if an HTTP proxy is given a
         *                               user name with {@code :}, which basic authentication cannot carry
         */
        public ProxyOptions build() {
            Checks.state(type != null, "proxy.type: not set (expected: SOCKS5 or HTTP)");
            Checks.state(host != null, "proxy.host: not set (expected: address(host, port))");
            Checks.state(type != Type.HTTP || userName == null || userName.indexOf(':') < 0,
                    "proxy.userName: contains ':' (expected: no ':' with HTTP basic authentication, RFC 7617)");
            return new ProxyOptions(this);
        }
    }
}
