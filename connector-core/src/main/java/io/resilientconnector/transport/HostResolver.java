package io.resilientconnector.transport;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Turns a host name into addresses. It is called for every connect attempt, off the event loop, so it may
 * block. The default is the system resolver; tests and service-discovery setups can supply their own.
 */
@FunctionalInterface
public interface HostResolver {

    /**
     * @return at least one address; a connector tries every one of them, IPv6 and IPv4 interleaved from the
     *         first (RFC 8305 section 4)
     */
    InetAddress[] resolve(String host) throws UnknownHostException;

    /**
     * The JDK's resolver. It honours the JDK's own cache: successful lookups are kept for
     * {@code networkaddress.cache.ttl} (30 seconds by default), so a DNS change is seen by the first attempt
     * after that.
     */
    static HostResolver system() {
        return InetAddress::getAllByName;
    }
}
