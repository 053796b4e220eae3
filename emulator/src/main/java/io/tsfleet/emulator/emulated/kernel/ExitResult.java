package io.tsfleet.emulator.emulated.kernel;

import java.util.List;

/**
 * What one {@link ExitSpec} did: the group and, per exiting thread in order, its pid, the size of its
 * event and the sequence number the CPU used for it (-1: the CPU had no listener, no number was used).
 */
public record ExitResult(int cpu, int tgid, List<ThreadExit> threads) {

    public record ThreadExit(int pid, long seq, int eventLength, boolean groupDead) {
    }
}
