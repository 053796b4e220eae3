package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;

/** Input checks shared by the heartbeat and the admin operations. */
public final class Validation {
    private Validation() {
    }

    /** Replica ids are Kubernetes-name-like: 1-253 characters of letters, digits, '.', '_' and '-'. */
    public static boolean isReplicaId(String id) {
        return id != null && id.length() >= 1 && id.length() <= 253 && id.chars().allMatch(ch ->
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
    }

    /**
     * The longest cpulist accepted anywhere: the kernel's own limit for a cpumask attribute ({@code
     * TASKSTATS_CPUMASK_MAXLEN}, 100 + 6 x NR_CPUS characters) with NR_CPUS the most CPUs the project supports.
     * Parsing a cpulist costs time in the CPUs it names, not in its length ({@code 0-8191:1/1} names 8192), so this
     * bounds the work of a request before any parsing starts.
     */
    public static final int MAX_CPULIST_LENGTH = CpulistParser.maxAttributeLength(CpulistParser.MAX_NR_CPUS);

    /** Refuses a cpulist longer than {@link #MAX_CPULIST_LENGTH} before it is parsed. */
    public static void checkCpulistLength(String field, String cpulist) {
        if (cpulist != null && cpulist.length() > MAX_CPULIST_LENGTH) {
            throw new CoordinatorException.InvalidRequest(field + " is " + cpulist.length() + " characters long; a cpulist may have at most "
                    + MAX_CPULIST_LENGTH + " (the kernel's limit for " + CpulistParser.MAX_NR_CPUS + " CPUs)");
        }
    }

    /** Parses an admin cpulist that must be a non-empty subset of the possible CPUs. */
    public static CpuSet possibleSubset(String cpulist, CpuSet possible) {
        if (cpulist == null || cpulist.isBlank()) throw new CoordinatorException.InvalidRequest("cpus must be a non-empty cpulist");
        checkCpulistLength("cpus", cpulist);
        CpuSet cpus;
        try {
            cpus = CpuSet.parse(cpulist);
        } catch (CpulistParseException e) {
            throw new CoordinatorException.InvalidRequest("'" + abbreviate(cpulist) + "' is not a valid cpulist: " + e.getMessage());
        }
        if (cpus.isEmpty()) throw new CoordinatorException.InvalidRequest("cpus must be a non-empty cpulist");
        CpuSet outside = cpus.minus(possible);
        if (!outside.isEmpty()) {
            throw new CoordinatorException.InvalidRequest("CPUs " + abbreviate(outside.toCpulist()) + " are not possible CPUs (possible: "
                    + abbreviate(possible.toCpulist()) + ")");
        }
        return cpus;
    }

    private static String abbreviate(String s) {
        return s.length() <= 120 ? s : s.substring(0, 117) + "...";
    }
}
