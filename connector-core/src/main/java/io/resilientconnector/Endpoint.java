package io.resilientconnector;

import io.resilientconnector.util.Checks;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * Where to connect: a host name or IP literal and a port. The name is resolved again on every attempt, so a
 * DNS change is picked up by the next reconnect.
 */
public final class Endpoint {

    private final String host;
    private final int port;

    private Endpoint(String host, int port) {
        this.host = host;
        this.port = port;
    }

    /**
     * @throws NullPointerException     if {@code host} is null
     * @throws InvalidOptionException if {@code host} is blank or {@code port} is outside 1..65535
     */
    public static Endpoint of(String host, int port) {
        Checks.notNull(host, "host");
        if (host.isBlank()) {
            throw Checks.invalid("host", "\"" + host + "\"", "a host name or IP address");
        }
        Checks.inRange(port, 1, 65535, "port");
        return new Endpoint(host.trim(), port);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    /** An unresolved address, so that each connect resolves the name afresh. */
    public InetSocketAddress unresolved() {
        return InetSocketAddress.createUnresolved(host, port);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Endpoint && ((Endpoint) o).host.equals(host) && ((Endpoint) o).port == port;
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, port);
    }

    @Override
    public String toString() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
