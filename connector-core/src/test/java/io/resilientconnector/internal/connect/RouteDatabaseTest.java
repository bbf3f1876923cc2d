package io.resilientconnector.internal.connect;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RouteDatabaseTest {

    private static InetSocketAddress at(int last) {
        try {
            return new InetSocketAddress(InetAddress.getByAddress(new byte[] {(byte) 192, 0, 2, (byte) last}), 7000);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void movesAFailedAddressToTheBackUntilItConnects() {
        RouteDatabase db = new RouteDatabase();
        db.failed(at(1));
        assertThat(db.shouldPostpone(at(1))).isTrue();
        assertThat(db.postponeFailed(List.of(at(1), at(2), at(3)))).containsExactly(at(2), at(3), at(1));
        db.connected(at(1));
        assertThat(db.shouldPostpone(at(1))).isFalse();
        assertThat(db.postponeFailed(List.of(at(1), at(2), at(3)))).containsExactly(at(1), at(2), at(3));
    }

    @Test
    void putsTheAddressThatFailedLongestAgoFirstAmongThePostponed() {
        RouteDatabase db = new RouteDatabase();
        db.failed(at(2));
        db.failed(at(1));
        assertThat(db.postponeFailed(List.of(at(1), at(2), at(3)))).containsExactly(at(3), at(2), at(1));
        db.failed(at(2));
        assertThat(db.postponeFailed(List.of(at(1), at(2), at(3)))).containsExactly(at(3), at(1), at(2));
    }

    @Test
    void tellsAddressesApartByPort() {
        RouteDatabase db = new RouteDatabase();
        db.failed(at(1));
        assertThat(db.shouldPostpone(new InetSocketAddress(at(1).getAddress(), 7001))).isFalse();
    }

    @Test
    void forgetsTheOldestFailureBeyondItsCapacity() {
        RouteDatabase db = new RouteDatabase(3);
        for (int i = 1; i <= 100; i++) {
            db.failed(at(i));
        }
        assertThat(db.size()).isEqualTo(3);
        assertThat(db.shouldPostpone(at(97))).isFalse();
        assertThat(db.shouldPostpone(at(98))).isTrue();
        assertThat(db.shouldPostpone(at(100))).isTrue();
    }

    @Test
    void aRepeatedFailureCountsAsTheNewest() {
        RouteDatabase db = new RouteDatabase(2);
        db.failed(at(1));
        db.failed(at(2));
        db.failed(at(1));
        db.failed(at(3));
        assertThat(db.shouldPostpone(at(1))).isTrue();
        assertThat(db.shouldPostpone(at(2))).isFalse();
    }

    @Test
    void rejectsACapacityBelowOne() {
        assertThatThrownBy(() -> new RouteDatabase(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("capacity: 0 (expected: 1..1000000)");
    }
}
