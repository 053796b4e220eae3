package io.tsfleet.emulator.emulated.kernel;

/**
 * The state of one CPU's taskstats bookkeeping.
 *
 * @param cpu       the CPU
 * @param exits     tasks that exited on it (with or without listeners)
 * @param nextSeq   the value of its sequence counter: the {@code nlmsg_seq} of the next event (u32)
 * @param events    event copies queued to its listeners
 * @param listeners port ids of its listener entries, newest first (an entry of a closed connection stays
 *                  until the next exit on this CPU)
 */
public record CpuSnapshot(int cpu, long exits, long nextSeq, long events, int[] listeners) {
}
