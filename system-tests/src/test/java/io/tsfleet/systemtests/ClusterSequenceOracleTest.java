package io.tsfleet.systemtests;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ClusterSequenceOracleTest {
    private static final String BOOT_1 = "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b";
    private static final String BOOT_2 = "9c1d0b7e-2a4f-4d3c-8e1b-5f6a7b8c9d0e";

    @Test
    void theSameCpuAndSeqOnTwoNodesAreTwoExits() {
        ClusterSequenceOracle o = new ClusterSequenceOracle();
        o.expect("node-a", BOOT_1, 0, 0, 3);
        o.expect("node-b", BOOT_2, 0, 0, 3);
        for (long s = 0; s < 3; s++) o.received("node-a", BOOT_1, 0, s);
        o.received("node-b", BOOT_2, 0, 1);
        ClusterSequenceOracle.Verdict v = o.verdict();
        assertThat(v.expected()).isEqualTo(6);
        assertThat(v.missing()).isEqualTo(2);
        assertThat(v.duplicates()).isZero();
        assertThat(v.missingByNode()).isEqualTo(Map.of("node-b", 2L));
        assertThat(v.missingBySlot()).isEqualTo(Map.of("node-b:0", 2L));
    }

    @Test
    void aRebootIsANewSequenceSpaceNeitherLossNorDuplicates() {
        ClusterSequenceOracle o = new ClusterSequenceOracle();
        o.expect("node-c", BOOT_1, Map.of(0, 100L, 1, 7L), Map.of(0, 104L, 1, 7L)); // the first boot, up to its end
        o.expect("node-c", BOOT_2, Map.of(), Map.of(0, 3L, 1, 2L));                // the second from 0
        for (long s = 100; s < 104; s++) o.received("node-c", BOOT_1, 0, s);
        for (long s = 0; s < 3; s++) o.received("node-c", BOOT_2, 0, s);           // seqs the first boot had used
        o.received("node-c", BOOT_2, 1, 0);
        o.received("node-c", BOOT_2, 1, 1);
        o.received("node-c", BOOT_1, 0, 2);                                         // before the first boot's window
        ClusterSequenceOracle.Verdict v = o.verdict();
        assertThat(v.expected()).isEqualTo(9);
        assertThat(v.missing()).isZero();
        assertThat(v.duplicates()).isZero();
        assertThat(v.spaces()).hasSize(2);
    }

    @Test
    void recordsOfAnotherBootOrNodeOrWithoutIdentityAreIgnored() {
        ClusterSequenceOracle o = new ClusterSequenceOracle();
        o.expect("node-a", BOOT_1, 2, 10, 12);
        o.received("node-a", BOOT_2, 2, 10);  // another boot
        o.received("node-x", BOOT_1, 2, 10);  // another node
        o.received(null, null, 2, 10);        // a broker that reports no identity
        o.received("node-a", BOOT_1, 2, 11);
        o.received("node-a", BOOT_1, 2, 11);
        ClusterSequenceOracle.Verdict v = o.verdict();
        assertThat(v.missing()).isEqualTo(1);
        assertThat(v.duplicates()).isEqualTo(1);
        assertThat(v.of("node-a").missingByCpu()).isEqualTo(Map.of(2, 1L));
        assertThat(v.of("node-b").expected()).isZero();
    }
}
