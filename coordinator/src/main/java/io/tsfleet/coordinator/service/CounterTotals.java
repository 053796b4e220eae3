package io.tsfleet.coordinator.service;

import io.tsfleet.coordinator.domain.view.CoordinatorStatus;

import java.util.Map;
import java.util.TreeMap;

/**
 * The coordinator's counters, summed over the leadership terms of this process: every term starts a new
 * {@code Coordinator} whose counters start at zero, while the exported counters must never go down.
 */
public record CounterTotals(long cpusMoved, long handoversCompleted, long handoverRollbacks, long staleHeartbeats,
                            long persistFailures, Map<String, Long> refusedHeartbeats, Map<String, Long> rebalancesByTrigger) {

    public static final CounterTotals ZERO = new CounterTotals(0, 0, 0, 0, 0, Map.of(), Map.of());

    public CounterTotals {
        refusedHeartbeats = Map.copyOf(refusedHeartbeats);
        rebalancesByTrigger = Map.copyOf(rebalancesByTrigger);
    }

    /** The counters of one term, as its status reports them. */
    public static CounterTotals of(CoordinatorStatus s) {
        return new CounterTotals(s.cpusMoved(), s.handoversCompleted(), s.handoverRollbacks(), s.staleHeartbeats(),
                s.persistFailures(), s.refusedHeartbeats(), s.rebalancesByTrigger());
    }

    public CounterTotals plus(CounterTotals o) {
        return new CounterTotals(cpusMoved + o.cpusMoved, handoversCompleted + o.handoversCompleted,
                handoverRollbacks + o.handoverRollbacks, staleHeartbeats + o.staleHeartbeats, persistFailures + o.persistFailures,
                sum(refusedHeartbeats, o.refusedHeartbeats), sum(rebalancesByTrigger, o.rebalancesByTrigger));
    }

    private static Map<String, Long> sum(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> out = new TreeMap<>(a);
        b.forEach((k, v) -> out.merge(k, v, Long::sum));
        return out;
    }
}
