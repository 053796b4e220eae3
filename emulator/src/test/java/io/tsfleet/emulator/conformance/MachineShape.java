package io.tsfleet.emulator.conformance;

import io.tsfleet.protocol.cpu.CpuSet;

/**
 * The machine behind the broker, as far as the expected answers depend on it.
 *
 * @param nrCpus   the kernel's {@code CONFIG_NR_CPUS} (E2BIG limit {@code 100 + 6*NR_CPUS})
 * @param possible the possible CPUs ({@code nr_cpu_ids} = highest + 1 bounds the cpulist grammar)
 */
public record MachineShape(int nrCpus, CpuSet possible) {
    public int nrCpuIds() {
        return possible.length();
    }
}
