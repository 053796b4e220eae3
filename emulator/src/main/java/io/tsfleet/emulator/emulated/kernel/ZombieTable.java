package io.tsfleet.emulator.emulated.kernel;

/**
 * The zombies of {@link TaskTable}: at most {@code limit} entries by pid, reaped oldest first when a new one
 * would exceed the limit; replacing the entry of a pid keeps its age. A ring of pids in insertion order plus a
 * paged direct index (pid to ring slot, pages of 4096 pids allocated while they hold a zombie): no boxing, no
 * hashing, no per-entry nodes, one lock. The ring grows on demand up to the limit, so a large limit costs
 * memory only once that many tasks have exited.
 */
final class ZombieTable {
    private static final int INITIAL_CAPACITY = 1024;
    private static final int PAGE_BITS = 12;
    private static final int PAGE_SIZE = 1 << PAGE_BITS;

    private final int limit;
    /** Insertion order: {@code pids[(head + i) % capacity]} for i below {@code size}, oldest first. */
    private int[] pids;
    private Object[] values;
    private int head;
    private int size;
    /** {@code pages[pid >> 12][pid & 4095]}: ring slot + 1 of the pid's entry, 0 when it has none; null pages hold none. */
    private final int[][] pages = new int[(TaskTable.PID_MAX + PAGE_SIZE - 1) >> PAGE_BITS][];
    private final int[] pageCounts = new int[pages.length];
    /** An emptied page, zeroed, kept for the next one needed. */
    private int[] sparePage;

    ZombieTable(int limit) {
        this.limit = limit;
        int capacity = Math.min(limit, INITIAL_CAPACITY);
        pids = new int[capacity];
        values = new Object[capacity];
    }

    /** Adds or replaces the entry of {@code pid} (a replaced entry keeps its place in the reaping order). */
    synchronized void put(int pid, Object value) {
        if (pid <= 0 || pid >= TaskTable.PID_MAX) throw new IllegalArgumentException("pid out of range: " + pid);
        if (limit == 0) return;
        int at = slotOf(pid);
        if (at >= 0) {
            values[at] = value;
            return;
        }
        if (size == limit) { // reap the oldest
            unindex(pids[head]);
            values[head] = null;
            head = head + 1 == pids.length ? 0 : head + 1;
            size--;
        } else if (size == pids.length) {
            grow();
        }
        int slot = head + size;
        if (slot >= pids.length) slot -= pids.length;
        pids[slot] = pid;
        values[slot] = value;
        size++;
        index(pid, slot);
    }

    synchronized Object get(int pid) {
        int at = slotOf(pid);
        return at < 0 ? null : values[at];
    }

    synchronized boolean contains(int pid) {
        return slotOf(pid) >= 0;
    }

    synchronized int size() {
        return size;
    }

    private void grow() {
        int capacity = (int) Math.min(limit, 2L * pids.length);
        int[] newPids = new int[capacity];
        Object[] newValues = new Object[capacity];
        for (int i = 0; i < size; i++) {
            int from = head + i < pids.length ? head + i : head + i - pids.length;
            newPids[i] = pids[from];
            newValues[i] = values[from];
            index(pids[from], i);
        }
        pids = newPids;
        values = newValues;
        head = 0;
    }

    /** The ring slot of {@code pid}'s entry, or -1. */
    private int slotOf(int pid) {
        if (pid <= 0 || pid >= TaskTable.PID_MAX) return -1;
        int[] page = pages[pid >> PAGE_BITS];
        return page == null ? -1 : page[pid & (PAGE_SIZE - 1)] - 1;
    }

    /** Points {@code pid} at {@code slot} (the pid may already be indexed, when the ring is reordered). */
    private void index(int pid, int slot) {
        int p = pid >> PAGE_BITS;
        int[] page = pages[p];
        if (page == null) {
            page = sparePage != null ? sparePage : new int[PAGE_SIZE];
            sparePage = null;
            pages[p] = page;
        }
        int i = pid & (PAGE_SIZE - 1);
        if (page[i] == 0) pageCounts[p]++;
        page[i] = slot + 1;
    }

    private void unindex(int pid) {
        int p = pid >> PAGE_BITS;
        int[] page = pages[p];
        int i = pid & (PAGE_SIZE - 1);
        if (page == null || page[i] == 0) return;
        page[i] = 0;
        if (--pageCounts[p] == 0) { // all zeroes again: keep one for reuse, let the others go
            pages[p] = null;
            if (sparePage == null) sparePage = page;
        }
    }
}
