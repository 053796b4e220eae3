package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;

import java.util.ArrayList;
import java.util.List;

/** The per-CPU listener lists of every possible CPU ({@code DEFINE_PER_CPU(struct listener_list, listener_array)}). */
final class ListenerTable {
    private final CpuListenerList[] lists;
    private final CpuSet possible;

    ListenerTable(CpuSet possible) {
        this.possible = possible;
        this.lists = new CpuListenerList[possible.length()];
        possible.forEach(c -> lists[c] = new CpuListenerList(c));
    }

    /** REGISTER: the caller has checked that {@code mask} is a subset of the possible CPUs. Returns how many CPUs got a new entry. */
    int register(NetlinkSocket socket, CpuSet mask) {
        int[] added = {0};
        mask.forEach(c -> {
            if (lists[c].add(socket)) added[0]++;
        });
        return added[0];
    }

    /** DEREGISTER: removes the first entry of the port id on each CPU of the mask; nothing registered is fine. */
    int deregister(int portId, CpuSet mask) {
        int[] removed = {0};
        mask.forEach(c -> {
            if (lists[c].remove(portId)) removed[0]++;
        });
        return removed[0];
    }

    CpuListenerList cpu(int cpu) {
        if (cpu < 0 || cpu >= lists.length || lists[cpu] == null) throw new IllegalArgumentException("CPU " + cpu + " is not possible");
        return lists[cpu];
    }

    boolean isPossible(int cpu) {
        return cpu >= 0 && cpu < lists.length && lists[cpu] != null;
    }

    List<CpuSnapshot> snapshot(CpuSet cpus) {
        List<CpuSnapshot> out = new ArrayList<>(cpus.size());
        cpus.intersect(possible).forEach(c -> out.add(lists[c].snapshot()));
        return out;
    }

    /** Total listener entries over all CPUs. */
    long entries() {
        long n = 0;
        for (CpuListenerList l : lists) if (l != null) n += l.size();
        return n;
    }
}
