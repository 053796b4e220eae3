package io.tsfleet.coordinator.domain;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/** Builds heartbeats for tests. */
public final class Heartbeats {
    private Heartbeats() {
    }

    public static ReplicaHeartbeat of(String id, String incarnation, long generation, String owned, double ratePerCpu,
                                      Map<Integer, Long> firstSeqs, String released) {
        return of(id, incarnation, generation, ReplicaHeartbeat.ACTIVE, owned, 0, ratePerCpu, firstSeqs, released);
    }

    public static ReplicaHeartbeat of(String id, String incarnation, long generation, String state, String owned, double capacity,
                                      double ratePerCpu, Map<Integer, Long> firstSeqs, String released) {
        int n;
        try {
            n = CpuSet.parse(owned).size();
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException(e);
        }
        List<Double> rates = new ArrayList<>(Collections.nCopies(n, ratePerCpu));
        List<Long> lost = new ArrayList<>(Collections.nCopies(n, 0L));
        return local(id, incarnation, generation, state, owned, capacity, rates, lost, 0, 0, 0, 0, firstSeqs, released);
    }

    /** The static node's name in tests (the default {@code tsfleet.coordinator.static-node}). */
    public static final String NODE = "local";

    /**
     * A heartbeat of a replica of a static fleet, in the field order of the single-node heartbeat: everything it
     * holds is on the static node {@link #NODE}.
     */
    public static ReplicaHeartbeat local(String id, String incarnation, long generation, String state, String owned, double capacity,
                                         List<Double> rates, List<Long> lost, long records, long lostTotal, long enobufs, long duplicates,
                                         Map<Integer, Long> firstSeqs, String released) {
        return new ReplicaHeartbeat(id, incarnation, generation, state, null, null, capacity, records, lostTotal, enobufs, duplicates,
                List.of(new NodeReport(NODE, null, owned, rates, lost, firstSeqs, released)));
    }

    public static ReplicaHeartbeat of(String id, String incarnation, String state, long generation, CpuSet owned, CpuSet released) {
        return of(id, incarnation, generation, state, owned.toCpulist(), 0, 10, Map.of(), released.toCpulist());
    }

    public static CpuSet cpus(String cpulist) {
        try {
            return CpuSet.parse(cpulist);
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    public static ReplicaHeartbeat empty(String id, String incarnation, long generation) {
        return of(id, incarnation, generation, "", 0, Map.of(), "");
    }
}
