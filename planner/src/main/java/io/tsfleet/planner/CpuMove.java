package io.tsfleet.planner;

/** One CPU changing owner between two live replicas (a make-before-break handover once applied). */
public record CpuMove(int cpu, String from, String to) {
}
