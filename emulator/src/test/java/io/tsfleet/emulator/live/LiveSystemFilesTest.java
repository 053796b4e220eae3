package io.tsfleet.emulator.live;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading the machine's CPU facts and the kernel's per-socket counters from sysfs/procfs layouts. */
class LiveSystemFilesTest {

    @Test
    void possibleCpusAndNrCpusComeFromSysfs(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("possible"), "0-3,8\n");
        Files.writeString(dir.resolve("kernel_max"), "8191\n");
        LiveSystem s = LiveSystem.read(dir);
        assertThat(s.possibleCpus()).isEqualTo(CpuSet.parse("0-3,8"));
        assertThat(s.nrCpuIds()).isEqualTo(9);
        assertThat(s.nrCpus()).isEqualTo(8192);
        assertThat(s.cpumaskMaxLength()).isEqualTo(100 + 6 * 8192);
    }

    @Test
    void theSequenceEpochComesFromTheBootIdAndIsUnknownWithoutIt(@TempDir Path dir) throws IOException {
        Path bootId = dir.resolve("boot_id");
        Files.writeString(bootId, "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b\n");
        long epoch = LiveSystem.seqEpoch(bootId);
        assertThat(epoch).isNotZero().isEqualTo(LiveSystem.seqEpoch(bootId));
        Files.writeString(bootId, "0a1b2c3d-4f2d-4c1e-9a7b-2d5e8f0c1a3b\n");
        assertThat(LiveSystem.seqEpoch(bootId)).as("another boot").isNotEqualTo(epoch);
        assertThat(LiveSystem.seqEpoch(dir.resolve("missing"))).isZero();
    }

    @Test
    void garbageInSysfsIsAClearError(@TempDir Path dir) throws IOException {
        Files.writeString(dir.resolve("possible"), "zero\n");
        Files.writeString(dir.resolve("kernel_max"), "255\n");
        assertThatThrownBy(() -> LiveSystem.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("not a cpulist");
        Files.writeString(dir.resolve("possible"), "0-1\n");
        Files.writeString(dir.resolve("kernel_max"), "lots\n");
        assertThatThrownBy(() -> LiveSystem.read(dir)).isInstanceOf(IOException.class).hasMessageContaining("kernel_max");
    }

    @Test
    void aProcessOutsideTheInitialNetworkNamespaceIsToldWhyItWouldReceiveNothing(@TempDir Path proc) throws IOException {
        Files.createDirectories(proc.resolve("self/ns"));
        Files.createDirectories(proc.resolve("1/ns"));
        Files.createSymbolicLink(proc.resolve("1/ns/net"), Path.of("net:[4026531840]"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026531840]"));
        assertThat(InitNetworkNamespace.problem(proc)).isEmpty();
        Files.delete(proc.resolve("self/ns/net"));
        Files.createSymbolicLink(proc.resolve("self/ns/net"), Path.of("net:[4026532999]"));
        assertThat(InitNetworkNamespace.problem(proc)).hasValueSatisfying(p -> assertThat(p).contains("hostNetwork").contains("4026532999"));
        assertThat(InitNetworkNamespace.problem(proc.resolve("missing"))).as("cannot tell: no verdict").isEmpty();
    }

    @Test
    void procNetNetlinkRowOfTheGenericSocketWithThePortId() throws IOException {
        List<String> lines = List.of(
                "sk               Eth Pid        Groups   Rmem     Wmem     Dump  Locks    Drops    Inode",
                "000000005a9223b0 0   4000000000 00000000 0        0        0     2        0        4",
                "00000000472fedf8 16  4000000000 00000000 2560     0        0     2        17       1574",
                "00000000472fedf9 16  11013      00000000 0        0        0     2        0        1575");
        assertThat(ProcNetNetlink.parse(lines, (int) 4_000_000_000L)).contains(new SocketControl.QueueState(2560, 17));
        assertThat(ProcNetNetlink.parse(lines, 11013)).contains(new SocketControl.QueueState(0, 0));
        assertThat(ProcNetNetlink.parse(lines, 5)).isEmpty();
    }
}
