package io.tsfleet.coordinator.domain.view;

import java.util.List;

/**
 * One CPU.
 *
 * @param load         smoothed true exit rate (exits/s)
 * @param lastRate     the rate of the latest report
 * @param lostTotal    records lost on this CPU, as reported by its owners since this coordinator started
 * @param registeredBy live replicas reporting a registration on it
 * @param hot          its load alone exceeds one replica's headroom limit
 */
public record CpuView(String node, int cpu, String owner, String target, double load, double lastRate, long lostTotal,
                      List<String> registeredBy, HandoverView handover, List<ReleaseView> releases, boolean hot,
                      String pinnedTo) {
}
