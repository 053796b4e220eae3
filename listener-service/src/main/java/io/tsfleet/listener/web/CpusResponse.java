package io.tsfleet.listener.web;

import java.util.List;

/**
 * The replica and its CPUs.
 *
 * @param replica           replica id
 * @param state             ACTIVE, DRAINING, STOPPED
 * @param generation        plan generation applied
 * @param target            target mask (cpulist), null before the first directive
 * @param owned             CPUs registered on a live connection (cpulist)
 * @param capacityPerSecond estimated sustainable record rate
 * @param loadRatio         utilisation of the busier stage
 * @param sink              what the sink writes to
 * @param cpus              per-CPU detail, ascending
 */
public record CpusResponse(String replica, String state, long generation, String target, String owned, double capacityPerSecond,
                           double loadRatio, String sink, List<ReplicaCpuView> cpus) {
}
