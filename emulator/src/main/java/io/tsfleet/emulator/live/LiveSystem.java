package io.tsfleet.emulator.live;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.sock.SockProtocol;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPU facts of the running machine that the TASKSTATS interface depends on: the possible CPUs
 * ({@code /sys/devices/system/cpu/possible}, the set the kernel keeps listener lists for), {@code nr_cpu_ids}
 * (the highest possible CPU + 1: a cpulist naming a CPU at or above it is {@code -ERANGE}) and {@code NR_CPUS}
 * ({@code CONFIG_NR_CPUS}, from {@code /sys/devices/system/cpu/kernel_max} + 1; it sets the cpulist length limit
 * {@code 100 + 6 * NR_CPUS}).
 */
public record LiveSystem(CpuSet possibleCpus, int nrCpuIds, int nrCpus) {

    public static final Path SYSFS_CPU = Path.of("/sys/devices/system/cpu");
    /** The kernel's random id of this boot. */
    public static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

    public LiveSystem {
        if (possibleCpus.isEmpty()) throw new IllegalArgumentException("no possible CPUs");
        if (nrCpuIds != possibleCpus.length()) {
            throw new IllegalArgumentException("nr_cpu_ids " + nrCpuIds + " is not the highest possible CPU + 1 of " + possibleCpus.toCpulist());
        }
        if (nrCpus < nrCpuIds) throw new IllegalArgumentException("NR_CPUS " + nrCpus + " below nr_cpu_ids " + nrCpuIds);
    }

    /** Reads the live values from sysfs (a directory laid out like {@code /sys/devices/system/cpu}). */
    public static LiveSystem read(Path sysfsCpuDir) throws IOException {
        String possible = firstLine(sysfsCpuDir.resolve("possible"));
        CpuSet cpus;
        try {
            cpus = CpulistParser.parse(possible, CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            throw new IOException(sysfsCpuDir.resolve("possible") + " is not a cpulist: '" + possible + "'", e);
        }
        int kernelMax;
        try {
            kernelMax = Integer.parseInt(firstLine(sysfsCpuDir.resolve("kernel_max")));
        } catch (NumberFormatException e) {
            throw new IOException(sysfsCpuDir.resolve("kernel_max") + " is not a number", e);
        }
        return new LiveSystem(cpus, cpus.length(), kernelMax + 1);
    }

    /**
     * The run of the kernel's per-CPU sequence counters: they count from boot to shutdown, so a value derived from the
     * boot id ({@code /proc/sys/kernel/random/boot_id}, a UUID) names it; never 0, or 0 when the file cannot be read.
     */
    public static long seqEpoch(Path bootIdFile) {
        try {
            return SockProtocol.seqEpochOf(java.util.UUID.fromString(bootId(bootIdFile)));
        } catch (IOException | IllegalArgumentException e) {
            return 0;
        }
    }

    /** The kernel's boot id, as the file ({@code /proc/sys/kernel/random/boot_id}) gives it. */
    public static String bootId(Path bootIdFile) throws IOException {
        return firstLine(bootIdFile);
    }

    /** {@code TASKSTATS_CPUMASK_MAXLEN}: the longest cpulist attribute payload the kernel accepts. */
    public int cpumaskMaxLength() {
        return CpulistParser.maxAttributeLength(nrCpus);
    }

    private static String firstLine(Path file) throws IOException {
        // /proc and /sys files report size 0: read them line-wise
        var lines = Files.readAllLines(file);
        if (lines.isEmpty()) throw new IOException(file + " is empty");
        return lines.getFirst().trim();
    }
}
