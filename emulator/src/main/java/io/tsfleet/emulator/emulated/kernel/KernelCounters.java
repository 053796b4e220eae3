package io.tsfleet.emulator.emulated.kernel;

import java.util.concurrent.atomic.LongAdder;

/** Monotonic counters of the emulated kernel, read by the metrics adapter. Every drop is counted here. */
public final class KernelCounters implements CpuListenerList.FanoutCounters {
    private final LongAdder exits = new LongAdder();
    private final LongAdder eventsQueued = new LongAdder();
    private final LongAdder droppedRcvbufFull = new LongAdder();
    private final LongAdder droppedCongested = new LongAdder();
    private final LongAdder droppedRefused = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder errors = new LongAdder();
    private final LongAdder repliesDropped = new LongAdder();
    private final LongAdder registrations = new LongAdder();

    /** One exit: one update per outcome that happened, not one per copy. */
    @Override
    public void exit(int queued, int rcvbufFull, int congested, int refused) {
        exits.increment();
        if (queued != 0) eventsQueued.add(queued);
        if (rcvbufFull != 0) droppedRcvbufFull.add(rcvbufFull);
        if (congested != 0) droppedCongested.add(congested);
        if (refused != 0) droppedRefused.add(refused);
    }

    void request(boolean error) {
        requests.increment();
        if (error) errors.increment();
    }

    void reply(Delivery d) {
        if (!d.queued()) repliesDropped.increment();
    }

    void registration() {
        registrations.increment();
    }

    /** Tasks that exited (one per thread), with or without listeners. */
    public long exits() {
        return exits.sum();
    }

    /** Event copies queued to listeners' receive queues. */
    public long eventsQueued() {
        return eventsQueued.sum();
    }

    /** Event copies dropped because the listener's receive buffer was full. */
    public long droppedRcvbufFull() {
        return droppedRcvbufFull.sum();
    }

    /** Event copies dropped while the listener was congested (sticky, until it drains). */
    public long droppedCongested() {
        return droppedCongested.sum();
    }

    /** Event copies that found the listener's connection closed ({@code ECONNREFUSED}; the entry is removed). */
    public long droppedRefused() {
        return droppedRefused.sum();
    }

    public long requests() {
        return requests.sum();
    }

    /** Requests answered with an error. */
    public long errors() {
        return errors.sum();
    }

    /** Replies, acks and errors that did not fit in the requester's receive buffer. */
    public long repliesDropped() {
        return repliesDropped.sum();
    }

    /** Successful REGISTER commands. */
    public long registrations() {
        return registrations.sum();
    }
}
