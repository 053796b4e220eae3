package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.planner.TargetAssignment;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.U32;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Moves the fleet towards the planned target, one CPU at a time, make before break with the sequence fence (see
 * {@link HandoverPhase}), and keeps coverage when replicas die. Every change is stamped with a new generation.
 * Not thread-safe: the coordinator calls it under its lock.
 */
public final class Reconciler {
    private final CpuTable table;
    private final Map<String, Member> members;
    private final LoadTracker loads;
    private final Generations generations;
    private final ReconcilerSettings settings;
    private final FleetJournal journal;

    public Reconciler(CpuTable table, Map<String, Member> members, LoadTracker loads, Generations generations,
                      ReconcilerSettings settings, FleetJournal journal) {
        this.table = table;
        this.members = members;
        this.loads = loads;
        this.generations = generations;
        this.settings = settings;
        this.journal = journal;
    }

    /**
     * Sets the planned target. Handovers in PREPARE that are no longer wanted are cancelled (the new owner was never
     * told, the old one keeps what it held back); a handover in MAKE, BREAK or ABORT runs to its end, because the new
     * owner may already have kept records, and the next plan starts from where it ends.
     */
    public void applyPlan(TargetAssignment plan) {
        CpuSet possible = table.possible();
        possible.forEach(c -> table.target(c, null));
        plan.masks().forEach((replica, mask) -> mask.intersect(possible).forEach(c -> table.target(c, replica)));
        for (Handover h : table.handovers()) {
            if (h.phase() == HandoverPhase.PREPARE && !h.to().equals(table.target(h.cpu()))) {
                rollBack(h, "superseded by a new plan", null);
            }
        }
    }

    /** Applies what a (non-stale) heartbeat says about handovers in which the member takes part. */
    public void onHeartbeat(Member m, HeartbeatReport hb, Instant now) {
        String id = m.id();
        for (Handover h : table.handovers()) {
            int c = h.cpu();
            if (h.phase() == HandoverPhase.PREPARE && h.from().equals(id) && hb.generation() >= h.phaseGeneration()) {
                h.advance(HandoverPhase.MAKE, generations.stamp(), now);
            } else if ((h.phase() == HandoverPhase.MAKE || h.phase() == HandoverPhase.ABORT) && h.to().equals(id)
                    && hb.generation() >= h.makeGeneration() && hb.owned().contains(c) && hb.firstSeqs().containsKey(c)) {
                // also during ABORT: the new owner did register and receive; the move completes after all
                fence(h, hb.firstSeqs().get(c), now);
            } else if (h.phase() == HandoverPhase.ABORT && h.to().equals(id) && hb.generation() >= h.phaseGeneration()) {
                // the new owner holds the CPU now and reports no first sequence: it received nothing, nothing to keep
                rollBack(h, "new owner " + id + " received nothing on CPU " + c + " in time", now);
            }
        }
        for (Release r : table.releasesBy(id)) {
            boolean gone = hb.released().contains(r.cpu()) || !hb.owned().contains(r.cpu());
            if (gone && hb.generation() >= r.generation()) completeRelease(r);
        }
        learnOwnerFirstSeqs(m, hb);
        fenceStrays(m, hb, now);
    }

    /** The first sequence number of a replica that took a CPU without a fence, from its heartbeats. */
    private void learnOwnerFirstSeqs(Member m, HeartbeatReport hb) {
        for (Map.Entry<Integer, Long> e : hb.firstSeqs().entrySet()) {
            int c = e.getKey();
            if (m.id().equals(table.owner(c)) && table.ownerSince(c) != null && table.ownerFirstSeq(c) == null
                    && hb.generation() >= table.ownerGeneration(c) && hb.owned().contains(c)) {
                table.ownerFirstSeq(c, U32.toLong(U32.bits(e.getValue())));
            }
        }
    }

    private void fence(Handover h, long firstSeq, Instant now) {
        int c = h.cpu();
        long fence = U32.toLong(U32.bits(firstSeq));
        long gen = generations.stamp();
        h.fence(fence);
        table.takeOwnership(c, h.to(), now, fence, gen);
        table.movedSuccessfully(c);
        journal.handoverFenced(h, fence);
        Member from = members.get(h.from());
        if (from == null) {
            table.handover(c, null);
            journal.handoverCompleted(h);
            return;
        }
        h.advance(HandoverPhase.BREAK, gen, now);
        table.addRelease(new Release(c, h.from(), fence, gen, now));
    }

    private void completeRelease(Release r) {
        generations.stamp();
        table.removeRelease(r.cpu(), r.replica());
        Handover h = table.handover(r.cpu());
        if (h != null && h.phase() == HandoverPhase.BREAK && h.from().equals(r.replica())) {
            table.handover(r.cpu(), null);
            journal.handoverCompleted(h);
        }
    }

    /**
     * A replica registered on a CPU it is not meant to have (not the owner, not in a handover of it, no release
     * pending) is told to release it after a fence: the owner's first sequence number on the CPU when the owner took
     * it recently (the stray may be a previous owner whose lease ran out while it kept working: it keeps what came
     * before the new owner), else the stray's own first sequence number (the owner has everything; the stray keeps
     * nothing). While a recent owner's first sequence is not known yet, the stray keeps holding and waits.
     */
    private void fenceStrays(Member m, HeartbeatReport hb, Instant now) {
        for (int c : hb.ownedCpus()) {
            if (m.id().equals(table.owner(c)) || table.hasRelease(c, m.id())) continue;
            Handover h = table.handover(c);
            if (h != null && (h.to().equals(m.id()) || h.from().equals(m.id()))) continue;
            Long fence = table.ownerFirstSeq(c);
            if (fence == null) {
                Instant since = table.ownerSince(c);
                boolean recentOwner = table.owner(c) != null && since != null
                        && since.plus(settings.handoverTimeout().multipliedBy(2)).isAfter(now);
                if (recentOwner || !hb.firstSeqs().containsKey(c)) continue;
                fence = U32.toLong(U32.bits(hb.firstSeqs().get(c)));
            }
            table.addRelease(new Release(c, m.id(), fence, generations.stamp(), now));
            journal.strayFenced(c, m.id(), fence);
        }
    }

    /**
     * A member is gone (lease expired, or a new incarnation replaced it). Coverage first: each CPU it owned goes at
     * once to a live replica that is still registered on it (the new owner of a handover, or the old owner that
     * was releasing it, whose release is cancelled); otherwise it stays with the same id when that id is
     * rejoining, or has no owner until the next plan gives it one (no make-before-break from a dead owner).
     */
    public void onMemberGone(String id, boolean rejoining, Instant now) {
        for (Release r : table.releasesBy(id)) {
            generations.stamp();
            table.removeRelease(r.cpu(), id);
            Handover h = table.handover(r.cpu());
            if (h != null && h.phase() == HandoverPhase.BREAK && h.from().equals(id)) {
                table.handover(r.cpu(), null);
                journal.handoverCompleted(h);
            }
        }
        for (Handover h : table.handovers()) {
            if (h.to().equals(id) && h.phase() != HandoverPhase.BREAK) {
                rollBack(h, "new owner " + id + " is gone", null);
            } else if (h.from().equals(id) && (h.phase() == HandoverPhase.MAKE || h.phase() == HandoverPhase.ABORT) && members.containsKey(h.to())) {
                // The new owner is registered (or registering) and keeps everything: it simply takes the CPU.
                long gen = generations.stamp();
                table.handover(h.cpu(), null);
                table.takeOwnership(h.cpu(), h.to(), now, null, gen);
                journal.ownershipTaken(h.cpu(), h.to(), "previous owner " + id + " is gone during make");
            } else if (h.from().equals(id) && h.phase() == HandoverPhase.PREPARE) {
                rollBack(h, "previous owner " + id + " is gone before make", null);
            }
        }
        List<Integer> orphaned = new ArrayList<>();
        table.possible().forEach(c -> {
            if (id.equals(table.owner(c))) orphaned.add(c);
        });
        for (int c : orphaned) {
            String heir = registeredHeir(c, id);
            long gen = generations.stamp();
            if (heir != null) {
                Handover h = table.handover(c);
                if (h != null) table.handover(c, null);
                table.removeRelease(c, heir);
                table.takeOwnership(c, heir, null, null, gen); // registered all along
                journal.ownershipTaken(c, heir, "owner " + id + " is gone; " + heir + " is still registered");
            } else if (!rejoining) {
                table.owner(c, null);
            }
        }
    }

    /**
     * The node of {@code slots} rebooted: its sequence numbers start anew, so every fence on those slots is void and
     * the connections that were to be released are gone with the old boot. Releases end, a handover that has its new
     * owner (BREAK) completes, any other handover is rolled back (the owner keeps the slot), and the owners' first
     * sequence numbers are learned again from the new boot.
     */
    public void onSequencesRestarted(CpuSet slots, Instant now) {
        for (Release r : table.releases()) {
            if (slots.contains(r.cpu())) completeRelease(r);
        }
        for (Handover h : table.handovers()) {
            if (!slots.contains(h.cpu())) continue;
            if (h.phase() == HandoverPhase.BREAK) {
                generations.stamp();
                table.handover(h.cpu(), null);
                journal.handoverCompleted(h);
            } else {
                rollBack(h, "the node rebooted", null);
            }
        }
        slots.forEach(table::forgetFirstSeq);
    }

    /** A live replica, other than {@code gone}, that is registered on the CPU (by its last report). */
    private String registeredHeir(int c, String gone) {
        for (Release r : table.releasesOf(c).values()) {
            Member m = members.get(r.replica());
            if (m != null && !r.replica().equals(gone) && m.owned().contains(c)) return r.replica();
        }
        return null;
    }

    /** Rolls back or closes handovers whose phase took longer than the timeout; never leaves one hanging. */
    public void checkTimeouts(Instant now) {
        for (Handover h : table.handovers()) {
            if (!h.phaseSince().plus(settings.handoverTimeout()).isAfter(now)) {
                switch (h.phase()) {
                    case PREPARE -> rollBack(h, "old owner " + h.from() + " did not acknowledge in time", now);
                    case MAKE -> {
                        // The new owner may already keep records: take the CPU out of its target first (ABORT).
                        if (!waitingForTraffic(h)) h.advance(HandoverPhase.ABORT, generations.stamp(), now);
                    }
                    case ABORT -> rollBack(h, "new owner " + h.to() + " did not confirm the abort in time (records it kept may be duplicated)", now);
                    case BREAK -> {
                        generations.stamp();
                        table.handover(h.cpu(), null);
                        Release r = table.releasesOf(h.cpu()).get(h.from());
                        if (r != null) journal.releaseStuck(r);
                        journal.handoverCompleted(h);
                    }
                }
            }
        }
    }

    /**
     * A MAKE phase on an idle CPU: the new owner has registered, but no exit happened since, so there is no first
     * sequence number to fence with. Both replicas are registered and nothing is lost; the handover completes at
     * the CPU's first exit. It is neither timed out nor counted against the in-flight cap.
     */
    public boolean waitingForTraffic(Handover h) {
        if (h.phase() != HandoverPhase.MAKE) return false;
        Member to = members.get(h.to());
        return to != null && to.appliedGeneration() >= h.phaseGeneration() && to.owned().contains(h.cpu())
                && loads.lastRate(h.cpu()) == 0;
    }

    /**
     * Cancels a handover; the CPU stays with (or returns to) its owner. A CPU whose handovers keep failing waits
     * exponentially longer before the next attempt: {@code retry-backoff x 2^(n-1)} after the n-th rollback in a
     * row, at most 64 x, so a replica that cannot take a CPU does not make it bounce forever.
     */
    private void rollBack(Handover h, String reason, Instant retryAfterFrom) {
        generations.stamp();
        table.handover(h.cpu(), null);
        if (retryAfterFrom != null) {
            int n = table.rolledBack(h.cpu());
            table.retryAfter(h.cpu(), retryAfterFrom.plus(settings.retryBackoff().multipliedBy(1L << Math.min(n - 1, 6))));
        }
        journal.handoverRolledBack(h, reason);
    }

    public int inFlight() {
        int n = 0;
        for (Handover h : table.handovers()) if (!waitingForTraffic(h)) n++;
        return n;
    }

    /** CPUs whose planned target differs from their owner and that may move now. */
    public int pendingMoves() {
        int n = 0;
        for (int c = table.nextUnsettled(0); c >= 0; c = table.nextUnsettled(c + 1)) {
            if (table.handover(c) == null) n++;
        }
        return n;
    }

    /**
     * Starts handovers towards the target, ascending by CPU, up to the in-flight cap. A CPU without a live owner
     * is simply taken by its target (nothing to break). A CPU with releases still pending waits for them.
     */
    public void startHandovers(Instant now) {
        int slots = settings.maxHandoversInFlight() - inFlight();
        // only slots whose target is not their owner can start anything; the others would all be skipped
        for (int c = table.nextUnsettled(0); c >= 0; c = table.nextUnsettled(c + 1)) {
            String t = table.target(c);
            String o = table.owner(c);
            if (t == null || t.equals(o) || table.handover(c) != null) continue;
            Member to = members.get(t);
            if (to == null || to.draining()) continue;
            Member from = o == null ? null : members.get(o);
            if (from == null) {
                long gen = generations.stamp();
                table.takeOwnership(c, t, now, null, gen);
                table.removeRelease(c, t);
                journal.ownershipTaken(c, t, o == null ? "uncovered" : "owner " + o + " is gone");
                continue;
            }
            // Wait while releases of the CPU are pending, and while the new owner is registered on it as a stray
            // (it holds records back; it must be fenced off and release first, or it would keep them).
            if (slots <= 0 || to.presumed() || !table.releasesOf(c).isEmpty() || to.owned().contains(c)) continue;
            Instant retry = table.retryAfter(c);
            if (retry != null && retry.isAfter(now)) continue;
            Handover h = new Handover(c, o, t, generations.stamp(), now);
            table.handover(c, h);
            journal.handoverStarted(h);
            slots--;
        }
    }
}
