package io.resilientconnector.benchmarks;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ArgsTest {

    @Test
    void givesTheDefaultWhenAnIntegerIsAbsent() {
        assertThat(new Args(new String[0]).integer("runs", 3, 1)).isEqualTo(3);
    }

    @Test
    void acceptsAnIntegerAtItsMinimum() {
        assertThat(new Args(new String[] {"--settle-ms", "0"}).integer("settle-ms", 1000, 0)).isZero();
    }

    @Test
    void rejectsAnIntegerBelowItsMinimum() {
        assertThatThrownBy(() -> new Args(new String[] {"--batch", "0"}).integer("batch", 500, 1))
                .isInstanceOf(SetupException.class).hasMessage("batch: 0 (expected: >= 1)");
    }

    @Test
    void rejectsAnIntegerOutsideItsRange() {
        assertThatThrownBy(() -> new Args(new String[] {"--port", "70000"}).integer("port", 1, 1, 65_535))
                .isInstanceOf(SetupException.class).hasMessage("port: 70000 (expected: 1..65535)");
    }

    @Test
    void rejectsAnIntegerThatIsNotAWholeNumber() {
        assertThatThrownBy(() -> new Args(new String[] {"--runs", "two"}).integer("runs", 3, 1))
                .isInstanceOf(SetupException.class).hasMessage("runs: two (expected: a whole number)");
    }

    @Test
    void readsEveryIntegerOfAList() {
        assertThat(new Args(new String[] {"--counts", "20, 40"}).integers("counts", "5000", 1)).containsExactly(20, 40);
        assertThat(new Args(new String[0]).integers("counts", "5000,10000", 1)).isEqualTo(List.of(5000, 10000));
    }

    @Test
    void rejectsAListWithAnIntegerBelowTheMinimum() {
        assertThatThrownBy(() -> new Args(new String[] {"--counts", "20,0"}).integers("counts", "5000", 1))
                .isInstanceOf(SetupException.class).hasMessage("counts: 0 (expected: >= 1)");
    }

    @Test
    void rejectsAChoiceNotOffered() {
        assertThatThrownBy(() -> new Args(new String[] {"--impl", "fast"}).choice("impl", "connector", "connector", "plain"))
                .isInstanceOf(SetupException.class).hasMessage("impl: fast (expected: one of connector, plain)");
    }
}
