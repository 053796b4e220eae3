package io.tsfleet.listener.domain;

import java.util.ArrayDeque;

/**
 * The drop-count requests of one run (one connection) that have not been answered yet, in the order they were sent.
 *
 * <p>A broker may drop the answer to such a request like any other message when the connection's queue is full: the
 * emulated kernel, like the kernel's generic netlink, charges it to the receive buffer, counts it in {@code sk_drops},
 * and then answers the request with an error ({@code -EAGAIN}), which a full queue may drop as well. (The kernel
 * backend answers locally and never drops it.) These are drops the count reports that were no records. Everything
 * comes in order: a request whose error arrives lost one message; a request still waiting when a later one is
 * answered lost two. Thread-safe.
 */
public final class DropCountRequests {
    private final ArrayDeque<Integer> waiting = new ArrayDeque<>();
    private long answersDropped;

    /** A request went out with this sequence number. */
    public synchronized void asked(int seq) {
        waiting.addLast(seq);
    }

    /**
     * The answer to {@code seq} arrived: returns the number of the socket's drops that were answers to this run's
     * requests, to be subtracted from the count it carries; -1 when {@code seq} is not a request of this run.
     */
    public synchronized long answered(int seq) {
        if (!waiting.contains(seq)) return -1;
        while (waiting.peekFirst() != seq) {
            waiting.pollFirst();
            answersDropped += 2;                     // its answer, and the error that replaced it
        }
        waiting.pollFirst();
        return answersDropped;
    }

    /** The request {@code seq} was answered with an error: its answer was dropped (one message); true if it was ours. */
    public synchronized boolean failed(int seq) {
        if (!waiting.remove(seq)) return false;
        answersDropped++;
        return true;
    }

    /** A new connection: its socket counts from zero. */
    public synchronized void newRun() {
        waiting.clear();
        answersDropped = 0;
    }
}
