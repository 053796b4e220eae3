package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.planner.LoadStats;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The fleet's load arithmetic, read from the CPU table (who owns what), the members (capacities, drains) and the
 * smoothed per-CPU loads: per-replica loads, the imbalance and its physical floor, hot CPUs. Draining replicas are
 * left out of everything that describes where load can go.
 */
public final class FleetLoad {
    private final CpuTable table;
    private final Membership membership;
    private final LoadTracker loads;
    private final PlannerSettings planner;

    public FleetLoad(CpuTable table, Membership membership, LoadTracker loads, PlannerSettings planner) {
        this.table = table;
        this.membership = membership;
        this.loads = loads;
        this.planner = planner;
    }

    /** The load of the CPUs a replica owns (exits/s). */
    public double replicaLoad(String id) {
        double[] sum = {0};
        table.possible().forEach(c -> {
            if (id.equals(table.owner(c))) sum[0] += loads.load(c);
        });
        return sum[0];
    }

    /** The load of every replica that is not draining (0 for one that owns nothing). */
    public Map<String, Double> activeLoads() {
        // summed in an array by member index, in slot order as before (one hash lookup per slot, no boxing)
        Map<String, Integer> index = new HashMap<>();
        List<String> ids = new ArrayList<>();
        for (Member m : membership.all()) {
            if (!m.draining() && index.putIfAbsent(m.id(), ids.size()) == null) ids.add(m.id());
        }
        double[] sum = new double[ids.size()];
        CpuSet possible = table.possible();
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            String o = table.owner(c);
            if (o == null) continue;
            Integer i = index.get(o);
            if (i != null) sum[i] += loads.load(c);
        }
        Map<String, Double> out = new TreeMap<>();
        for (int i = 0; i < sum.length; i++) out.put(ids.get(i), sum[i]);
        return out;
    }

    /** The most loaded active replica over the mean. */
    public double imbalance() {
        return LoadStats.imbalance(activeLoads().values());
    }

    /** The imbalance no plan can go below: max(1, the hottest CPU x active replicas / the total load). */
    public double floor() {
        double max = 0, total = 0;
        for (double l : cpuLoads()) {
            max = Math.max(max, l);
            total += l;
        }
        return LoadStats.floor(max, activeReplicas(), total);
    }

    /** The load of every possible CPU, in CPU order. */
    public double[] cpuLoads() {
        double[] all = loads.loads();
        double[] out = new double[table.possible().size()];
        int[] i = {0};
        table.possible().forEach(c -> out[i[0]++] = all[c]);
        return out;
    }

    /** The measured capacities of the replicas that are not draining. */
    public double[] activeCapacities() {
        return membership.all().stream().filter(m -> !m.draining()).mapToDouble(Member::capacityPerSecond).toArray();
    }

    public int activeReplicas() {
        return (int) membership.all().stream().filter(m -> !m.draining()).count();
    }

    /** Active replicas whose load exceeds their planning capacity's headroom. */
    public Set<String> overHeadroom() {
        Set<String> over = new HashSet<>();
        Map<String, double[]> byOwner = null;   // every owner's load, summed in one pass over the slots when first needed
        for (Member m : membership.all()) {
            double cap = m.planningCapacity();
            if (m.draining() || cap <= 0) continue;
            if (byOwner == null) byOwner = ownerLoads();
            double[] load = byOwner.get(m.id());
            if ((load == null ? 0 : load[0]) > cap * planner.headroom()) over.add(m.id());
        }
        return over;
    }

    /** The load of every owner's slots (exits/s), each summed in slot order as {@link #replicaLoad} sums it. */
    private Map<String, double[]> ownerLoads() {
        Map<String, double[]> out = new HashMap<>();
        CpuSet possible = table.possible();
        for (int c = possible.nextCpu(0); c >= 0; c = possible.nextCpu(c + 1)) {
            String o = table.owner(c);
            if (o != null) out.computeIfAbsent(o, k -> new double[1])[0] += loads.load(c);
        }
        return out;
    }

    /** The most load one CPU may carry: the largest headroom of an active replica (infinite while one is unmeasured). */
    public double hotLimit() {
        double max = 0;
        for (Member m : membership.all()) {
            if (m.draining()) continue;
            if (m.planningCapacity() <= 0) return Double.POSITIVE_INFINITY;
            max = Math.max(max, m.planningCapacity() * planner.headroom());
        }
        return max == 0 ? Double.POSITIVE_INFINITY : max;
    }

    /** CPUs whose load alone exceeds {@link #hotLimit()}. */
    public CpuSet hotCpus() {
        double limit = hotLimit();
        CpuSet.Builder b = CpuSet.builder();
        table.possible().forEach(c -> {
            if (loads.load(c) + planner.cpuBaseWeight() > limit) b.add(c);
        });
        return b.build();
    }
}
