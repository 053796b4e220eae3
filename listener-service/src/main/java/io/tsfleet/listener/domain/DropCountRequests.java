package io.tsfleet.listener.domain;

import java.util.ArrayDeque;

/**
 * The drop-count requests of one run (one connection) that have not been answered yet, in the order they were sent.
 *
 * <p>A broker may drop the answer to such a request like any other message when the connection's queue is full (the
 * emulated kernel charges it to the receive buffer and counts it in {@code sk_drops}; the kernel backend answers
 * locally and never drops it). Answers come in order, so when an answer arrives, every earlier request still waiting
 * has lost its answer, and each of those answers is one of the drops the count reports that was no record. Thread-safe.
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
            answersDropped++;
        }
        waiting.pollFirst();
        return answersDropped;
    }

    /** A new connection: its socket counts from zero. */
    public synchronized void newRun() {
        waiting.clear();
        answersDropped = 0;
    }
}
