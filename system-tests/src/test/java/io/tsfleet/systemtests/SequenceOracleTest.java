package io.tsfleet.systemtests;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SequenceOracleTest {

    @Test
    void countsMissingAndDuplicatesOnlyInsideTheWindows() {
        SequenceOracle o = new SequenceOracle();
        o.expect(0, 10, 15);
        o.expect(1, 0xFFFF_FFFEL, 2); // wraps: FFFFFFFE, FFFFFFFF, 0, 1
        for (long s = 10; s < 15; s++) o.received(0, s);
        o.received(0, 12);            // duplicate
        o.received(0, 9);             // before the window: ignored
        o.received(1, 0xFFFF_FFFFL);
        o.received(1, 1);
        o.received(2, 5);             // a CPU without a window: ignored
        SequenceOracle.Verdict v = o.verdict();
        assertThat(v.expected()).isEqualTo(9);
        assertThat(v.duplicates()).isEqualTo(1);
        assertThat(v.missing()).isEqualTo(2);
        assertThat(v.missingByCpu()).containsEntry(1, 2L).doesNotContainKey(0);
    }
}
