package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.netlink.U32;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Validates a heartbeat and turns it into a {@link HeartbeatReport}; refuses bad input with a clear message. */
final class HeartbeatParser {
    private HeartbeatParser() {
    }

    static HeartbeatReport parse(String pathId, ReplicaHeartbeat hb, CpuSet possible) {
        if (hb == null) throw invalid("missing heartbeat body");
        String id = hb.replicaId();
        if (id == null || id.isBlank()) throw invalid("replicaId is required");
        if (pathId != null && !pathId.equals(id)) throw invalid("replicaId '" + id + "' does not match the path id '" + pathId + "'");
        if (!Validation.isReplicaId(id)) throw invalid("replicaId must be 1-253 characters of [A-Za-z0-9._-]");
        if (hb.incarnation() == null || hb.incarnation().isBlank() || hb.incarnation().length() > 256) {
            throw invalid("incarnation is required (at most 256 characters)");
        }
        if (hb.generation() < 0) throw invalid("generation must not be negative");
        if (hb.generation() > Generations.MAX_REPORTED) {
            throw invalid("generation " + hb.generation() + " is beyond any generation a coordinator issues (at most " + Generations.MAX_REPORTED + ")");
        }
        String state = hb.state() == null ? ReplicaHeartbeat.ACTIVE : hb.state();
        if (!state.equals(ReplicaHeartbeat.ACTIVE) && !state.equals(ReplicaHeartbeat.DRAINING)) {
            throw invalid("state must be ACTIVE or DRAINING, not '" + state + "'");
        }
        CpuSet reported = cpulist("ownedCpus", hb.ownedCpus());
        int[] all = reported.toArray();
        List<Double> rates = hb.cpuRates() == null ? List.of() : hb.cpuRates();
        List<Long> lost = hb.cpuLost() == null ? List.of() : hb.cpuLost();
        if (rates.size() != all.length) throw invalid("cpuRates has " + rates.size() + " entries for " + all.length + " owned CPUs");
        if (!lost.isEmpty() && lost.size() != all.length) throw invalid("cpuLost has " + lost.size() + " entries for " + all.length + " owned CPUs");
        double capacity = hb.capacityPerSecond();
        if (!(capacity >= 0) || Double.isInfinite(capacity)) throw invalid("capacityPerSecond must be a finite non-negative number");
        if (hb.recordsTotal() < 0 || hb.lostTotal() < 0 || hb.enobufsTotal() < 0 || hb.duplicatesTotal() < 0) {
            throw invalid("totals must not be negative");
        }
        CpuSet owned = reported.intersect(possible);
        int[] cpus = owned.toArray();
        double[] r = new double[cpus.length];
        long[] l = new long[cpus.length];
        for (int i = 0, j = 0; i < all.length; i++) {
            Double rate = rates.get(i);
            if (rate == null || !(rate >= 0) || Double.isInfinite(rate)) throw invalid("cpuRates[" + i + "] must be a finite non-negative number");
            Long lo = lost.isEmpty() ? Long.valueOf(0) : lost.get(i);
            if (lo == null || lo < 0) throw invalid("cpuLost[" + i + "] must be a non-negative number");
            if (possible.contains(all[i])) {
                r[j] = rate;
                l[j] = lo;
                j++;
            }
        }
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        if (hb.firstSeqs() != null) {
            for (Map.Entry<Integer, Long> e : hb.firstSeqs().entrySet()) {
                if (e.getKey() == null || e.getValue() == null) throw invalid("firstSeqs must map CPUs to sequence numbers");
                if (!U32.fits(e.getValue())) throw invalid("firstSeqs[" + e.getKey() + "] is not a u32");
                if (possible.contains(e.getKey())) firstSeqs.put(e.getKey(), e.getValue());
            }
        }
        CpuSet released = cpulist("released", hb.released()).intersect(possible);
        return new HeartbeatReport(id, hb.incarnation(), hb.generation(), state.equals(ReplicaHeartbeat.DRAINING), owned, cpus, r, l,
                capacity, hb.recordsTotal(), hb.lostTotal(), hb.enobufsTotal(), hb.duplicatesTotal(), firstSeqs, released);
    }

    private static CpuSet cpulist(String field, String value) {
        if (value == null || value.isBlank()) return CpuSet.EMPTY;
        Validation.checkCpulistLength(field, value);
        try {
            return CpuSet.parse(value);
        } catch (CpulistParseException e) {
            throw invalid(field + " is not a valid cpulist: " + e.getMessage());
        }
    }

    private static CoordinatorException.InvalidRequest invalid(String message) {
        return new CoordinatorException.InvalidRequest(message);
    }
}
