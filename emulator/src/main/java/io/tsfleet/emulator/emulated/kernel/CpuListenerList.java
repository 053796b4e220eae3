package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.netlink.U32;

import java.util.Arrays;

/**
 * The listener list of one possible CPU ({@code listener_array} of {@code kernel/taskstats.c}) with the
 * CPU's taskstats sequence counter. Entries are {@code {port id, valid}}, newest first. The monitor of this
 * object plays the per-CPU semaphore and also serialises the exits of the CPU, as one CPU runs one exit at
 * a time: sequence numbers are handed out and delivered in the same order.
 */
final class CpuListenerList {
    private static final Listener[] NONE = new Listener[0];

    /** One registration. {@code valid} is cleared by an {@code ECONNREFUSED} delivery; the entry is deleted after that event. */
    static final class Listener {
        final NetlinkSocket socket;
        boolean valid = true;

        Listener(NetlinkSocket socket) {
            this.socket = socket;
        }

        int portId() {
            return socket.portId();
        }
    }

    final int cpu;
    private Listener[] entries = NONE;
    private int seq;
    private long exits;
    private long events;

    CpuListenerList(int cpu) {
        this.cpu = cpu;
    }

    /** REGISTER on this CPU: skipped when a valid entry of the port id exists (CVE-2011-2484), else head insertion. Returns true if added. */
    synchronized boolean add(NetlinkSocket socket) {
        for (Listener l : entries) {
            if (l.portId() == socket.portId() && l.valid) return false;
        }
        Listener[] next = new Listener[entries.length + 1];
        next[0] = new Listener(socket);
        System.arraycopy(entries, 0, next, 1, entries.length);
        entries = next;
        return true;
    }

    /** DEREGISTER on this CPU: removes the first entry of the port id, valid or not. Returns true if one was removed. */
    synchronized boolean remove(int portId) {
        for (int i = 0; i < entries.length; i++) {
            if (entries[i].portId() == portId) {
                Listener[] next = new Listener[entries.length - 1];
                System.arraycopy(entries, 0, next, 0, i);
                System.arraycopy(entries, i + 1, next, i, entries.length - i - 1);
                entries = next;
                return true;
            }
        }
        return false;
    }

    /**
     * One exit on this CPU ({@code taskstats_exit} + {@code send_cpu_listeners}): when the list is empty
     * nothing happens but the exit count; otherwise the CPU's counter gives the sequence number, it is
     * written into the message, which is unicast to every entry (invalid ones included): the one array is
     * shared by all receive queues, as the kernel shares its skb clones. Entries whose socket is gone are
     * invalidated and deleted after the loop. The outcomes go to {@code counters} in one call.
     *
     * @param event the exit event, built with sequence 0; it must not change after this call
     * @return the sequence number used, or -1 (as a long) when the CPU had no listener
     */
    synchronized long exit(byte[] event, FanoutCounters counters) {
        exits++;
        if (entries.length == 0) {
            counters.exit(0, 0, 0, 0);
            return -1;
        }
        int s = seq++;
        EventEncoder.setSeq(event, s);
        int queued = 0;
        int rcvbufFull = 0;
        int congested = 0;
        int refused = 0;
        for (Listener l : entries) {
            switch (l.socket.deliver(event)) {
                case QUEUED -> queued++;
                case DROPPED_RCVBUF_FULL -> rcvbufFull++;
                case DROPPED_CONGESTED -> congested++;
                case REFUSED -> {
                    l.valid = false;
                    refused++;
                }
            }
        }
        events += queued;
        counters.exit(queued, rcvbufFull, congested, refused);
        if (refused > 0) {
            entries = Arrays.stream(entries).filter(l -> l.valid).toArray(Listener[]::new);
        }
        return U32.toLong(s);
    }

    synchronized CpuSnapshot snapshot() {
        int[] ports = new int[entries.length];
        for (int i = 0; i < ports.length; i++) ports[i] = entries[i].portId();
        return new CpuSnapshot(cpu, exits, U32.toLong(seq), events, ports);
    }

    synchronized int size() {
        return entries.length;
    }

    /** Counts exits and their deliveries by outcome. */
    interface FanoutCounters {
        /** One exit and the fate of its copies. */
        void exit(int queued, int droppedRcvbufFull, int droppedCongested, int refused);
    }
}
