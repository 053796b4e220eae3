package io.tsfleet.listener.domain;

/**
 * Where one CPU of the replica stands, from the moment the replica takes it on to the end of its reader: the one state
 * machine of a CPU. Each state is a class; a transition is a method that returns the next state, and a transition a
 * state does not allow throws {@link IllegalTransitionException} (the states and the arrows below are the whole
 * machine). The {@link CpuSequenceLedger} holds the state and does the accounting that goes with each transition;
 * the CPU's reader ({@code CpuChannel}) asks for the transitions and does the I/O they call for.
 *
 * <pre>{@code
 * Owned(link) --leave--> Leaving(link) --fence--> Releasing --deregistered / connection lost--> Released(DEREGISTERED)
 *      ^                  |    |                     |  \--forced (no answer in time)--------> Released(FORCED)
 *      +------rejoin------+    |                     \--fence while not registered----------> Released(DEREGISTERED)
 *                              \--connection lost--> Released(ABORTED)
 * Owned(REGISTERED) / Leaving(REGISTERED) --shutdown--> Deregistering --deregistered / connection lost--> Released(DEREGISTERED)
 * Releasing --shutdown--> Deregistering
 * any state --thread ends--> Finished
 * link: CONNECTING --registering--> REGISTERING --registered--> REGISTERED --lost (owned)--> RETRYING --connecting--> CONNECTING
 * }</pre>
 *
 * <p>{@link #phase()} is what the coordinator's directives are reconciled against and what the REST API shows as
 * {@code phase}; {@link #status()} is the API's {@code status} (what the connection is doing).
 */
public sealed interface CpuState {

    /** Where the CPU stands in the replica, as directives see it. */
    enum Phase {
        /** In the target: every record is ours. */
        OWNED,
        /** Out of the target, no fence yet: records are held back, gaps are pending. */
        LEAVING,
        /** The fence is known and the CPU is being deregistered: below the fence ours, from it on the new owner's. */
        RELEASING,
        /** Released: the replica has nothing more of the CPU. */
        RELEASED
    }

    /** What the CPU's broker connection is doing (the REST API's {@code status}). */
    enum Status { CONNECTING, REGISTERING, REGISTERED, RETRYING, RELEASING, FINISHED }

    /** The connection of a CPU that is not being released. */
    enum Link {
        CONNECTING, REGISTERING, REGISTERED, RETRYING;

        Status status() {
            return Status.valueOf(name());
        }
    }

    /** How a release ended. */
    enum Ending {
        /** The broker answered the deregistration, or the connection closed after it, or there was no registration. */
        DEREGISTERED,
        /** The broker did not answer the deregistration in time: released anyway, the missing records counted. */
        FORCED,
        /** The connection broke before the fence: the handover was aborted. */
        ABORTED
    }

    /** A transition the current state does not allow. */
    final class IllegalTransitionException extends IllegalStateException {
        IllegalTransitionException(CpuState from, String transition) {
            super(transition + " is not allowed in state " + from);
        }
    }

    /** A newly acquired CPU: owned, connecting. */
    static CpuState initial() {
        return new Owned(Link.CONNECTING);
    }

    Phase phase();

    Status status();

    /** Registered on a live connection (a deregistration that was sent but not answered still counts). */
    default boolean isRegistered() {
        return false;
    }

    /** Released or finished: nothing more is read for the replica. */
    default boolean isDone() {
        return false;
    }

    // ---- transitions (each state overrides those it allows) ----

    /** A new connection attempt starts. */
    default CpuState connecting() {
        throw new IllegalTransitionException(this, "connecting");
    }

    /** Handshake done, REGISTER sent. */
    default CpuState registering() {
        throw new IllegalTransitionException(this, "registering");
    }

    /** The broker acknowledged the registration. */
    default CpuState registered() {
        throw new IllegalTransitionException(this, "registered");
    }

    /** A connection attempt failed and another one follows after the backoff. */
    default CpuState retrying() {
        throw new IllegalTransitionException(this, "retrying");
    }

    /** The CPU left the target. Idempotent once it is no longer owned. */
    default CpuState leave() {
        throw new IllegalTransitionException(this, "leave");
    }

    /** The CPU is back in the target before a fence. */
    default CpuState rejoin() {
        throw new IllegalTransitionException(this, "rejoin");
    }

    /**
     * The fence is known: deregister now (Releasing), or, without a registration to withdraw, released at once.
     * A fence again (a changed one) keeps the deregistration under way.
     */
    default CpuState fence() {
        throw new IllegalTransitionException(this, "fence");
    }

    /** Shutdown: deregister a registered CPU, keeping every record (nothing is handed over). */
    default CpuState shutdown() {
        throw new IllegalTransitionException(this, "shutdown");
    }

    /** The broker answered the deregistration (every record the connection will get has been read). */
    default CpuState deregistered() {
        throw new IllegalTransitionException(this, "deregistered");
    }

    /** The broker did not answer the deregistration in time. */
    default CpuState forced() {
        throw new IllegalTransitionException(this, "forced");
    }

    /** The connection broke (or could not be made). */
    default CpuState connectionLost() {
        throw new IllegalTransitionException(this, "connectionLost");
    }

    /** The CPU's reader ended. */
    default CpuState finish() {
        return new Finished(phase(), this instanceof Released r && r.ending() == Ending.ABORTED);
    }

    // ---- the states ----

    /** In the target; {@code link} is what the connection is doing. */
    record Owned(Link link) implements CpuState {
        @Override public Phase phase() { return Phase.OWNED; }
        @Override public Status status() { return link.status(); }
        @Override public boolean isRegistered() { return link == Link.REGISTERED; }
        @Override public CpuState connecting() { return new Owned(Linking.connecting(this, link)); }
        @Override public CpuState registering() { return new Owned(Linking.registering(this, link)); }
        @Override public CpuState registered() { return new Owned(Linking.registered(this, link)); }
        @Override public CpuState retrying() { return new Owned(Linking.retrying(this, link)); }
        @Override public CpuState leave() { return new Leaving(link); }
        @Override public CpuState rejoin() { return this; }
        @Override public CpuState shutdown() { return link == Link.REGISTERED ? new Deregistering() : this; }
        /** An owned CPU reconnects. */
        @Override public CpuState connectionLost() { return new Owned(Link.RETRYING); }
    }

    /** Out of the target, waiting for the fence; still registered (a leaving CPU is never reconnected). */
    record Leaving(Link link) implements CpuState {
        @Override public Phase phase() { return Phase.LEAVING; }
        @Override public Status status() { return link.status(); }
        @Override public boolean isRegistered() { return link == Link.REGISTERED; }
        @Override public CpuState connecting() { return new Leaving(Linking.connecting(this, link)); }
        @Override public CpuState registering() { return new Leaving(Linking.registering(this, link)); }
        @Override public CpuState registered() { return new Leaving(Linking.registered(this, link)); }
        @Override public CpuState retrying() { return new Leaving(Linking.retrying(this, link)); }
        @Override public CpuState leave() { return this; }
        @Override public CpuState rejoin() { return new Owned(link); }
        @Override public CpuState fence() { return link == Link.REGISTERED ? new Releasing() : new Released(Ending.DEREGISTERED); }
        /** Shutdown keeps the held records: the CPU is ours again, and deregistered if it is registered. */
        @Override public CpuState shutdown() { return rejoin().shutdown(); }
        @Override public CpuState connectionLost() { return new Released(Ending.ABORTED); }
    }

    /**
     * The fence is known and DEREGISTER was sent: records below the fence are still read (they are queued on the
     * connection already), those from it on are handed over, until the broker's answer.
     */
    record Releasing() implements CpuState {
        @Override public Phase phase() { return Phase.RELEASING; }
        @Override public Status status() { return Status.RELEASING; }
        @Override public boolean isRegistered() { return true; }
        @Override public CpuState leave() { return this; }
        /** Back in the target while the deregistration is under way: it completes; the CPU is acquired again after it. */
        @Override public CpuState rejoin() { return this; }
        @Override public CpuState fence() { return this; }
        /**
         * Shutdown during a fenced release keeps the fence: the deregistration is under way already and the shutdown
         * waits for its answer; records from the fence on stay the new owner's (written there, not here), and those
         * below it that never come are counted as lost when the answer arrives.
         */
        @Override public CpuState shutdown() { return this; }
        @Override public CpuState deregistered() { return new Released(Ending.DEREGISTERED); }
        @Override public CpuState forced() { return new Released(Ending.FORCED); }
        @Override public CpuState connectionLost() { return new Released(Ending.DEREGISTERED); }
    }

    /** Shutdown: DEREGISTER was sent, every record is kept until the broker's answer. */
    record Deregistering() implements CpuState {
        @Override public Phase phase() { return Phase.OWNED; }
        @Override public Status status() { return Status.RELEASING; }
        @Override public boolean isRegistered() { return true; }
        @Override public CpuState shutdown() { return this; }
        @Override public CpuState deregistered() { return new Released(Ending.DEREGISTERED); }
        @Override public CpuState connectionLost() { return new Released(Ending.DEREGISTERED); }
    }

    /** Released: records still arriving are handed over; the reader ends. */
    record Released(Ending ending) implements CpuState {
        @Override public Phase phase() { return Phase.RELEASED; }
        @Override public Status status() { return Status.RELEASING; }
        @Override public boolean isDone() { return true; }
        @Override public CpuState leave() { return this; }
        @Override public CpuState rejoin() { return this; }
        @Override public CpuState fence() { return this; }
        @Override public CpuState shutdown() { return this; }
        @Override public CpuState deregistered() { return this; }
        @Override public CpuState forced() { return this; }
        @Override public CpuState connectionLost() { return this; }
    }

    /**
     * The reader ended, in {@code phase}; {@code aborted}: its handover was aborted. The engine may still hold the
     * channel for a moment: what it asks then changes nothing, but nothing reconnects.
     */
    record Finished(Phase phase, boolean aborted) implements CpuState {
        @Override public Status status() { return Status.FINISHED; }
        @Override public boolean isDone() { return true; }
        @Override public CpuState leave() { return this; }
        @Override public CpuState rejoin() { return this; }
        @Override public CpuState fence() { return this; }
        @Override public CpuState shutdown() { return this; }
        @Override public CpuState deregistered() { return this; }
        @Override public CpuState forced() { return this; }
        @Override public CpuState connectionLost() { return this; }
        @Override public CpuState finish() { return this; }
    }

    /** The link's own transitions, shared by the owned and the leaving CPU. */
    final class Linking {
        private Linking() {
        }

        static Link connecting(CpuState s, Link l) {
            if (l != Link.CONNECTING && l != Link.RETRYING) throw new IllegalTransitionException(s, "connecting");
            return Link.CONNECTING;
        }

        static Link registering(CpuState s, Link l) {
            if (l != Link.CONNECTING) throw new IllegalTransitionException(s, "registering");
            return Link.REGISTERING;
        }

        static Link registered(CpuState s, Link l) {
            if (l != Link.REGISTERING) throw new IllegalTransitionException(s, "registered");
            return Link.REGISTERED;
        }

        static Link retrying(CpuState s, Link l) {
            if (l == Link.REGISTERED) throw new IllegalTransitionException(s, "retrying");
            return Link.RETRYING;
        }
    }
}
