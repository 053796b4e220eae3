package io.tsfleet.coordinator.domain.fleet;

import java.time.Duration;
import java.time.Instant;

/**
 * What a heartbeat is to the membership, decided before anything changes: refused, the first heartbeat of a new
 * member, a restart (another process with a member's id), the first heartbeat of a member recovered from the
 * persisted assignment, or a member's next heartbeat.
 *
 * @param lease        how long a silent member keeps its id
 * @param maxMembers   how many members there may be
 * @param startedEmpty whether the coordinator started without a persisted assignment (only then may a joining
 *                     replica hold a generation the coordinator never issued)
 */
public record HeartbeatAdmission(Duration lease, int maxMembers, boolean startedEmpty) {

    /** The decision about one heartbeat. */
    public sealed interface Verdict {
        /** Refused; nothing changes. {@code stale}: a late heartbeat of a replaced process. */
        record Refused(HeartbeatRefusal reason, String message, boolean stale) implements Verdict {
        }

        /** A replica id that is not a member: it joins. */
        record Joins() implements Verdict {
        }

        /** Another process with a member's id, whose predecessor gave the id up: the predecessor leaves, it joins. */
        record Restarts(Member predecessor) implements Verdict {
        }

        /** The first heartbeat of a member recovered from the persisted assignment, from the same process. */
        record Confirms(Member member) implements Verdict {
        }

        /** A member's next heartbeat. */
        record Continues(Member member) implements Verdict {
        }
    }

    public Verdict judge(HeartbeatReport hb, Membership membership, long currentGeneration, Instant now) {
        String id = hb.replicaId();
        if (membership.isRetired(id, hb.incarnation())) {
            // a late heartbeat of a process that a restart already replaced: stale, never a "restart back"
            return new Verdict.Refused(HeartbeatRefusal.REPLACED_INCARNATION, "incarnation " + hb.incarnation()
                    + " of replica '" + id + "' has been replaced by a newer process", true);
        }
        Member m = membership.get(id);
        if (m != null && isAnotherProcess(m, hb)) {
            Instant leaseEnd = leaseEnd(m);
            if (!m.presumed() && !leaseEnd.isBefore(now)) {
                // a second process claiming a live replica's id: the live one keeps it until its lease runs out
                return new Verdict.Refused(HeartbeatRefusal.INCARNATION_LIVE, "replica '" + id + "' is live with incarnation "
                        + m.incarnation() + " (last heartbeat " + m.lastHeartbeat() + "); a new incarnation is accepted once that "
                        + "lease expires at " + leaseEnd + ", i.e. in " + Duration.between(now, leaseEnd).toMillis() + " ms", false);
            }
        }
        if (m == null && membership.all().size() >= maxMembers) {
            return new Verdict.Refused(HeartbeatRefusal.MEMBER_LIMIT, "the fleet already has " + membership.all().size()
                    + " members, the limit (tsfleet.coordinator.max-members); replica '" + id + "' can join once a member leaves "
                    + "or its lease expires", false);
        }
        boolean joins = m == null || isAnotherProcess(m, hb);
        if (hb.generation() > currentGeneration && !(joins && startedEmpty)) {
            return new Verdict.Refused(HeartbeatRefusal.UNISSUED_GENERATION, "generation " + hb.generation()
                    + " was never issued by this coordinator (its current generation is " + currentGeneration + ")", false);
        }
        if (m == null) return new Verdict.Joins();
        if (isAnotherProcess(m, hb)) return new Verdict.Restarts(m);
        if (m.presumed()) return new Verdict.Confirms(m);
        return new Verdict.Continues(m);
    }

    /** When the member's lease runs out (its last heartbeat plus the lease). */
    public Instant leaseEnd(Member m) {
        return m.lastHeartbeat().plus(lease);
    }

    /**
     * Whether a heartbeat comes from another process than the one the member is known to be: a restart (or someone
     * else claiming the id). A live member keeps its id until its lease runs out; a member recovered from the persisted
     * assignment and not heard from since gives it up at once (nothing tells this coordinator that it still runs).
     */
    private static boolean isAnotherProcess(Member m, HeartbeatReport hb) {
        return m.knownIncarnation() != null && !m.knownIncarnation().equals(hb.incarnation());
    }
}
