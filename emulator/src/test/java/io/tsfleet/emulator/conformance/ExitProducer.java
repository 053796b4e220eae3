package io.tsfleet.emulator.conformance;

import java.util.List;

/**
 * Makes tasks exit on a chosen CPU of the machine behind the broker: the emulated kernel's inject, or real
 * processes pinned to the CPU on a live kernel. Each call returns once the task has been reaped, so its
 * events are already in the listeners' receive queues (a request sent afterwards is answered after them).
 */
public interface ExitProducer {

    /**
     * A child of the test process that does not exec and ends on {@code cpu}.
     *
     * @param threads  threads in total (1 = single-threaded); extra threads are started, joined (they exit
     *                 first, one event each), then the main thread exits last
     * @param exitCode its {@code _exit()} status, when {@code signal} is null
     * @param signal   it is killed by this signal instead (null: a normal exit)
     */
    ExitedTask exit(int cpu, int threads, int exitCode, Integer signal) throws Exception;

    default ExitedTask exit(int cpu) throws Exception {
        return exit(cpu, 1, 0, null);
    }

    /**
     * The ids of an ended thread group.
     *
     * @param tgid    the group (= the main thread's id)
     * @param threads all its thread ids
     */
    record ExitedTask(int tgid, List<Integer> threads) {
        public boolean owns(long pid) {
            return threads.contains((int) pid);
        }
    }
}
