package io.tsfleet.emulator.api;

import java.util.List;

/** The exits done, with the per-CPU sequence numbers their events used (null: the CPU had no listener). */
public record ExitResponse(int cpu, int count, List<Group> exits) {

    public record Group(int tgid, List<Event> events) {
    }

    public record Event(int pid, Long seq, int length, boolean groupDead) {
    }
}
