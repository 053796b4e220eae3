package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;

/** Input checks shared by the heartbeat and the admin operations. */
public final class Validation {
    private Validation() {
    }

    /** Replica ids are Kubernetes-name-like: 1-253 characters of letters, digits, '.', '_' and '-'. */
    public static boolean isReplicaId(String id) {
        return id != null && id.length() >= 1 && id.length() <= 253 && id.chars().allMatch(ch ->
                (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-');
    }

    /** Parses an admin cpulist that must be a non-empty subset of the possible CPUs. */
    public static CpuSet possibleSubset(String cpulist, CpuSet possible) {
        if (cpulist == null || cpulist.isBlank()) throw new CoordinatorException.InvalidRequest("cpus must be a non-empty cpulist");
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
