package io.resilientconnector.internal.observe;

import io.resilientconnector.internal.ending.Disconnections;

import io.resilientconnector.DisconnectCause;
import io.resilientconnector.Disconnection;
import io.resilientconnector.internal.observe.OpenConnections.Ended;
import io.resilientconnector.internal.observe.OpenConnections.Part;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Telling the current connection's end from a replaced one's and from a failed attempt, in a failback's order. */
class OpenConnectionsTest {

    private final OpenConnections connections = new OpenConnections();

    @Test
    void aFailbackTellsTheReplacedConnectionsEndAfterItsSuccessorsConnect() {
        connections.connected("backup", 10);
        connections.connected("primary", 20);

        assertThat(connections.ended(end(DisconnectCause.LOCAL_CLOSE, "backup")))
                .isEqualTo(new Ended(Part.REPLACED, 10));
        assertThat(connections.ended(end(DisconnectCause.PEER_CLOSED, "primary")))
                .isEqualTo(new Ended(Part.CURRENT, 20));
        assertThat(connections.ended(end(DisconnectCause.PEER_CLOSED, "primary")).part())
                .as("an end is told once; a second one is about nothing connected").isEqualTo(Part.FAILED_ATTEMPT);
    }

    @Test
    void aReplacedConnectionThatEndsAfterTheCurrentOneIsStillReplaced() {
        connections.connected("backup", 10);
        connections.connected("primary", 20);

        assertThat(connections.ended(end(DisconnectCause.RESET, "primary")).part()).isEqualTo(Part.CURRENT);
        assertThat(connections.ended(end(DisconnectCause.LOCAL_CLOSE, "backup")).part()).isEqualTo(Part.REPLACED);
    }

    @Test
    void aPassThatNeverConnectedIsAFailedAttemptWhateverItNames() {
        connections.connected("up", 10);

        assertThat(connections.ended(Disconnections.of(DisconnectCause.UNRESOLVED)).part())
                .isEqualTo(Part.FAILED_ATTEMPT);
        assertThat(connections.ended(end(DisconnectCause.TLS_HANDSHAKE, "never-ready")).part())
                .isEqualTo(Part.FAILED_ATTEMPT);
        assertThat(connections.ended(end(DisconnectCause.CONNECT_REFUSED, "up")).part())
                .as("a connect failure never ends an established connection").isEqualTo(Part.FAILED_ATTEMPT);
    }

    @Test
    void forgetsTheOldestConnectionWhoseEndIsNeverTold() {
        for (int i = 0; i <= OpenConnections.MAX_OPEN; i++) {
            connections.connected("c" + i, i);
        }

        assertThat(connections.ended(end(DisconnectCause.LOCAL_CLOSE, "c0")).part()).isEqualTo(Part.FAILED_ATTEMPT);
        assertThat(connections.ended(end(DisconnectCause.LOCAL_CLOSE, "c1")).part()).isEqualTo(Part.REPLACED);
        assertThat(connections.ended(end(DisconnectCause.LOCAL_CLOSE, "c" + OpenConnections.MAX_OPEN)).part())
                .isEqualTo(Part.CURRENT);
    }

    private static Disconnection end(DisconnectCause cause, String id) {
        return Disconnections.builder(cause).connection(id, null).build();
    }
}
