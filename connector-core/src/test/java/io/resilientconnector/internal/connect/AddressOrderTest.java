package io.resilientconnector.internal.connect;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AddressOrderTest {

    private static InetSocketAddress at(String literal) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), 7000);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    private static List<String> hosts(List<InetSocketAddress> addresses) {
        List<String> out = new ArrayList<>();
        for (InetSocketAddress a : addresses) {
            out.add(a.getAddress().getHostAddress());
        }
        return out;
    }

    @Test
    void startsWithTheFamilyOfTheFirstAddressAndAlternates() {
        List<InetSocketAddress> resolved = List.of(at("2001:db8::1"), at("2001:db8::2"), at("2001:db8::3"),
                at("192.0.2.1"), at("192.0.2.2"));
        assertThat(hosts(AddressOrder.interleave(resolved))).containsExactly(
                "2001:db8:0:0:0:0:0:1", "192.0.2.1", "2001:db8:0:0:0:0:0:2", "192.0.2.2", "2001:db8:0:0:0:0:0:3");
    }

    @Test
    void startsWithIpv4WhenTheResolverPutIpv4First() {
        List<InetSocketAddress> resolved = List.of(at("192.0.2.1"), at("192.0.2.2"), at("2001:db8::1"));
        assertThat(hosts(AddressOrder.interleave(resolved))).containsExactly(
                "192.0.2.1", "2001:db8:0:0:0:0:0:1", "192.0.2.2");
    }

    @Test
    void keepsEachFamilysOwnOrder() {
        List<InetSocketAddress> resolved = List.of(at("192.0.2.9"), at("2001:db8::9"), at("192.0.2.1"),
                at("2001:db8::1"), at("192.0.2.5"));
        assertThat(hosts(AddressOrder.interleave(resolved))).containsExactly(
                "192.0.2.9", "2001:db8:0:0:0:0:0:9", "192.0.2.1", "2001:db8:0:0:0:0:0:1", "192.0.2.5");
    }

    @Test
    void leavesASingleFamilyAsItIs() {
        List<InetSocketAddress> resolved = List.of(at("192.0.2.3"), at("192.0.2.1"), at("192.0.2.2"));
        assertThat(AddressOrder.interleave(resolved)).isEqualTo(resolved);
        assertThat(AddressOrder.interleave(List.of())).isEmpty();
        assertThat(AddressOrder.interleave(List.of(at("::1")))).containsExactly(at("::1"));
    }
}
