package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.Generations;
import io.tsfleet.coordinator.domain.fleet.HeartbeatReport;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.fleet.NodeReport;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import io.tsfleet.protocol.netlink.U32;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.TreeMap;

/**
 * Validates a heartbeat and turns it into a {@link HeartbeatReport} of slot indices (see {@link SlotSpace}); refuses
 * bad input with a clear message.
 */
final class HeartbeatParser {
    private HeartbeatParser() {
    }

    /** The most nodes one heartbeat may report (a replica holding slots of every node of the largest fleet). */
    static final int MAX_NODES = 4096;

    static HeartbeatReport parse(String pathId, ReplicaHeartbeat hb, SlotSpace space) {
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
        String node = hb.node() == null || hb.node().isBlank() ? null : hb.node();
        if (node != null && !NodeAnnouncementParser.isNodeName(node)) throw invalid("node must be a DNS subdomain: lower-case letters, digits, '-' and '.'");
        String zone = NodeAnnouncementParser.zone(hb.zone());
        double capacity = hb.capacityPerSecond();
        if (!(capacity >= 0) || Double.isInfinite(capacity)) throw invalid("capacityPerSecond must be a finite non-negative number");
        if (hb.recordsTotal() < 0 || hb.lostTotal() < 0 || hb.enobufsTotal() < 0 || hb.duplicatesTotal() < 0) {
            throw invalid("totals must not be negative");
        }
        List<NodeReport> reports = hb.nodes() == null ? List.of() : hb.nodes();
        if (reports.size() > MAX_NODES) throw invalid("nodes has " + reports.size() + " entries; at most " + MAX_NODES);
        Set<String> seen = new HashSet<>();
        List<Translated> parts = new ArrayList<>();
        for (int n = 0; n < reports.size(); n++) {
            NodeReport report = reports.get(n);
            if (report == null || report.node() == null || !NodeAnnouncementParser.isNodeName(report.node())) {
                throw invalid("nodes[" + n + "].node must be a node name (a DNS subdomain)");
            }
            if (!seen.add(report.node())) throw invalid("node '" + report.node() + "' is reported twice");
            Translated t = translate("nodes[" + n + "].", report, space.node(report.node()));
            if (t != null) parts.add(t);
        }
        parts.sort(Comparator.comparingInt(t -> t.offset));
        int count = 0;
        for (Translated t : parts) count += t.slots.length;
        int[] slots = new int[count];
        double[] r = new double[count];
        long[] l = new long[count];
        CpuSet.Builder owned = CpuSet.builder();
        CpuSet.Builder released = CpuSet.builder();
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        int k = 0;
        for (Translated t : parts) {
            System.arraycopy(t.slots, 0, slots, k, t.slots.length);
            System.arraycopy(t.rates, 0, r, k, t.slots.length);
            System.arraycopy(t.lost, 0, l, k, t.slots.length);
            k += t.slots.length;
            for (int slot : t.slots) owned.add(slot);
            t.released.forEach(released::add);
            firstSeqs.putAll(t.firstSeqs);
        }
        return new HeartbeatReport(id, hb.incarnation(), hb.generation(), state.equals(ReplicaHeartbeat.DRAINING), owned.build(), slots, r, l,
                capacity, hb.recordsTotal(), hb.lostTotal(), hb.enobufsTotal(), hb.duplicatesTotal(), firstSeqs, released.build(), node, zone);
    }

    /** One node's report in slot indices. */
    private record Translated(int offset, int[] slots, double[] rates, long[] lost, Map<Integer, Long> firstSeqs, CpuSet released) {
    }

    /**
     * Checks one node's report and turns its CPUs into slots. A node the coordinator does not know (it left, or has
     * not announced itself yet) is checked and then ignored. A report of another boot of the node than the one the
     * node announced (connections that have not yet seen the reboot, or the other way round) keeps its slots and
     * rates, but not its first sequence numbers or releases: those are sequence facts of the other boot.
     */
    private static Translated translate(String where, NodeReport report, SlotSpace.NodeBlock block) {
        CpuSet reported = cpulist(where + "ownedCpus", report.ownedCpus());
        int[] all = reported.toArray();
        List<Double> rates = report.cpuRates() == null ? List.of() : report.cpuRates();
        List<Long> lost = report.cpuLost() == null ? List.of() : report.cpuLost();
        if (rates.size() != all.length) throw invalid(where + "cpuRates has " + rates.size() + " entries for " + all.length + " owned CPUs");
        if (!lost.isEmpty() && lost.size() != all.length) throw invalid(where + "cpuLost has " + lost.size() + " entries for " + all.length + " owned CPUs");
        for (int i = 0; i < all.length; i++) {
            Double rate = rates.get(i);
            if (rate == null || !(rate >= 0) || Double.isInfinite(rate)) throw invalid(where + "cpuRates[" + i + "] must be a finite non-negative number");
            Long lo = lost.isEmpty() ? Long.valueOf(0) : lost.get(i);
            if (lo == null || lo < 0) throw invalid(where + "cpuLost[" + i + "] must be a non-negative number");
        }
        Map<Integer, Long> seqs = report.firstSeqs() == null ? Map.of() : report.firstSeqs();
        for (Map.Entry<Integer, Long> e : seqs.entrySet()) {
            if (e.getKey() == null || e.getValue() == null) throw invalid(where + "firstSeqs must map CPUs to sequence numbers");
            if (!U32.fits(e.getValue())) throw invalid(where + "firstSeqs[" + e.getKey() + "] is not a u32");
        }
        CpuSet releasedCpus = cpulist(where + "released", report.released());
        if (block == null) return null;
        CpuSet cpus = block.cpus();
        int offset = block.offset();
        int n = 0;
        for (int cpu : all) if (cpus.contains(cpu)) n++;
        int[] slots = new int[n];
        double[] r = new double[n];
        long[] l = new long[n];
        for (int i = 0, j = 0; i < all.length; i++) {
            if (!cpus.contains(all[i])) continue;
            slots[j] = offset + all[i];
            r[j] = rates.get(i);
            l[j] = lost.isEmpty() ? 0 : lost.get(i);
            j++;
        }
        boolean sameBoot = report.bootId() == null || block.bootId() == null || block.bootId().equalsIgnoreCase(report.bootId());
        Map<Integer, Long> firstSeqs = new TreeMap<>();
        CpuSet released = CpuSet.EMPTY;
        if (sameBoot) {
            for (Map.Entry<Integer, Long> e : seqs.entrySet()) {
                if (cpus.contains(e.getKey())) firstSeqs.put(offset + e.getKey(), e.getValue());
            }
            CpuSet mine = releasedCpus.intersect(cpus);
            released = offset == 0 ? mine : mine.shift(offset);
        }
        return new Translated(offset, slots, r, l, firstSeqs, released);
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
