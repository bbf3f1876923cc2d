package io.resilientconnector.internal.connect;

import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class EndpointSequenceTest {

    private static final List<String> ABCD = List.of("a", "b", "c", "d");

    @Test
    void orderedKeepsTheGivenOrderEveryPass() {
        EndpointSequence<String> s = EndpointSequence.ordered(ABCD);
        assertThat(s.nextPass()).isEqualTo(ABCD);
        assertThat(s.nextPass()).isEqualTo(ABCD);
    }

    @Test
    void roundRobinStartsEveryPassOneFurtherOn() {
        EndpointSequence<String> s = EndpointSequence.roundRobin(ABCD);
        assertThat(s.nextPass()).containsExactly("a", "b", "c", "d");
        assertThat(s.nextPass()).containsExactly("b", "c", "d", "a");
        assertThat(s.nextPass()).containsExactly("c", "d", "a", "b");
        assertThat(s.nextPass()).containsExactly("d", "a", "b", "c");
        assertThat(s.nextPass()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void shuffleDrawsOneOrderAndKeepsIt() {
        EndpointSequence<String> s = EndpointSequence.shuffled(ABCD, new Random(42));
        List<String> first = s.nextPass();
        assertThat(first).containsExactlyInAnyOrderElementsOf(ABCD);
        for (int i = 0; i < 5; i++) {
            assertThat(s.nextPass()).isEqualTo(first);
        }
        assertThat(EndpointSequence.shuffled(ABCD, new Random(42)).nextPass()).isEqualTo(first);
    }

    @Test
    void shuffleSpreadsConnectorsOverTheEndpoints() {
        Set<String> primaries = new HashSet<>();
        Random random = new Random(7);
        for (int i = 0; i < 100; i++) {
            primaries.add(EndpointSequence.shuffled(ABCD, random).nextPass().get(0));
        }
        assertThat(primaries).containsExactlyInAnyOrderElementsOf(ABCD);
    }

    @Test
    void rejectsNoEndpoints() {
        assertThatThrownBy(() -> EndpointSequence.ordered(List.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("endpoints: [] (expected: at least one endpoint)");
    }
}
