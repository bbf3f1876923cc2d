package io.resilientconnector.internal.connect;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Orders the resolved addresses of one name as RFC 8305 section 4 asks: the families alternate, starting with
 * the family of the first address, and each family keeps the order the resolver gave it. The resolver's order
 * is taken as the RFC 6724 destination address order that the section starts from; the JDK's system resolver
 * returns getaddrinfo's order, which is that sort.
 *
 * <p>Alternating with a "First Address Family Count" of one, the RFC's default, means that when one family is
 * broken on this network, the second attempt already uses the other family.
 */
final class AddressOrder {

    private AddressOrder() {
    }

    /** The addresses with IPv6 and IPv4 interleaved, starting with the first address's family. */
    static List<InetSocketAddress> interleave(List<InetSocketAddress> addresses) {
        if (addresses.size() < 2) {
            return List.copyOf(addresses);
        }
        boolean firstIsV6 = isV6(addresses.get(0));
        List<InetSocketAddress> first = new ArrayList<>();
        List<InetSocketAddress> second = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            (isV6(a) == firstIsV6 ? first : second).add(a);
        }
        List<InetSocketAddress> out = new ArrayList<>(addresses.size());
        for (int i = 0; i < Math.max(first.size(), second.size()); i++) {
            if (i < first.size()) {
                out.add(first.get(i));
            }
            if (i < second.size()) {
                out.add(second.get(i));
            }
        }
        return out;
    }

    private static boolean isV6(InetSocketAddress a) {
        return a.getAddress() instanceof Inet6Address;
    }
}
