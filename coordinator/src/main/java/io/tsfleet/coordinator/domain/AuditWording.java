package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.FleetEvent.*;
import io.tsfleet.coordinator.domain.fleet.SlotSpace;
import io.tsfleet.coordinator.domain.policy.RebalanceTrigger;
import io.tsfleet.protocol.cpu.CpuSet;

import java.util.Locale;

/**
 * The text of every audit entry, in one place ({@code docs/coordinator.md} quotes it; the admin API and the
 * console show it).
 */
final class AuditWording {
    private AuditWording() {
    }

    static String message(FleetEvent event) {
        return message(event, null);
    }

    /** The text of {@code event}, CPUs named as slots of {@code space} (null: plain CPU numbers, a fleet of one node). */
    static String message(FleetEvent event, SlotSpace space) {
        return switch (event) {
            case Started s -> "no persisted assignment: starting empty";
            case Recovered r -> "recovered generation " + r.generation() + " with " + r.replicas() + " replicas (presumed alive for one lease), "
                    + r.handovers() + " handovers, " + r.releases() + " releases, loads of " + r.loadedCpus() + " CPUs"
                    + (r.droppedCpus().isEmpty() ? "" : "; CPUs no longer possible dropped: " + r.droppedCpus());
            case Joined j -> "joined with " + describe(j.owned(), space) + " registered";
            case Confirmed c -> "recovered replica is alive";
            case Restarted r -> "new incarnation " + r.incarnation() + " replaces " + r.predecessorIncarnation()
                    + (r.predecessorPresumed() ? " (recovered from the persisted assignment and not heard from since)"
                    : " (whose lease expired at " + r.predecessorLeaseEnd() + ")");
            case GenerationRaised g -> "replica applied generation " + g.applied()
                    + ", above this coordinator's (which started without a persisted assignment); raising ours above it";
            case FleetSilent s -> "no replica has heartbeated for " + s.lease().toMillis() + " ms: all of them keep their CPUs for one "
                    + "more lease (a stalled machine or network, rather than every replica dead at once)";
            case FleetHeard h -> "first heartbeat after the whole fleet was silent; every replica's lease restarts now";
            case Expired e -> "no heartbeat for " + e.lease().toMillis() + " ms; its CPUs are reassigned now";
            case Stalled s -> "the coordinator did not run for " + s.stall().toMillis() + " ms (a starved machine?); every lease is "
                    + "extended by that much";
            case MaskSet m -> "pinned " + describe(m.cpus(), space);
            case MaskCleared m -> "pin removed";
            case PlanMade p -> p.trigger().label() + " plan (" + p.mode().name().toLowerCase(Locale.ROOT) + "): " + p.moves() + " CPUs to move, imbalance "
                    + round(p.before()) + " -> " + round(p.after()) + " (floor " + round(p.floor()) + ")"
                    + (p.hotCpus().isEmpty() ? "" : ", hot " + describe(p.hotCpus(), space))
                    + (p.overCapacity().isEmpty() ? "" : ", over capacity: " + p.overCapacity());
            case RebalanceSkipped s -> s.trigger().label() + " rebalance skipped: "
                    + (s.movesNothing() ? "the plan moves nothing" : "the plan would not help enough (" + measure(s) + ")")
                    + "; desired replicas " + s.desiredReplicas()
                    + (s.hotCpus().isEmpty() ? "" : ", hot " + describe(s.hotCpus(), space));
            case DrainStarted d -> (d.byAdmin() ? "admin drain" : "replica reports DRAINING") + ": moving its CPUs away";
            case PersistFailed p -> "could not persist generation " + p.generation() + ": " + p.error()
                    + "; nothing of it is handed out, the assignment is recovered from the store";
            case HandoverRolledBack h -> cpu(h.cpu(), space) + " stays with " + h.owner() + " (" + h.phase().name().toLowerCase(Locale.ROOT) + " phase): " + h.reason();
            case OwnershipTaken o -> cpu(o.cpu(), space) + " taken by " + o.replica() + ": " + o.reason();
            case StrayFenced s -> s.replica() +  " is registered on " + cpu(s.cpu(), space) + " without owning it; told to release it after fence " + s.fence();
            case ReleaseStuck r -> r.replica() + " has not released " + cpu(r.cpu(), space) + " (fence " + r.fence()
                    + ") in time; the new owner keeps it, the fence stays in its directive";
            case Scaled s -> s.target() + " from " + s.from() + " to " + s.to() + " replicas";
            case NodeJoined n -> "node " + n.node() + " joined (boot " + n.bootId() + ") with " + describe(n.possibleCpus()) + ", broker "
                    + n.broker() + ", delay accounting " + n.delayAccounting();
            case NodeRebooted n -> "node " + n.node() + " rebooted: boot " + n.previousBootId() + " -> " + n.bootId()
                    + "; its per-CPU sequences start anew (not a loss)";
            case NodeExpired n -> "node " + n.node() + " (boot " + n.bootId() + ") did not announce itself for " + n.lease().toMillis()
                    + " ms; dropped";
            case NodeLeft n -> "node " + n.node() + " (boot " + n.bootId() + ") withdrawn by its agent";
        };
    }

    private static String measure(RebalanceSkipped s) {
        return s.trigger() == RebalanceTrigger.IMBALANCE
                ? "imbalance " + round(s.before()) + " -> " + round(s.after())
                : "load above the headroom limits " + round(s.before()) + " -> " + round(s.after()) + " exits/s";
    }

    /** A slot set for a message (see {@link SlotSpace#describe}), cut at 80 characters. */
    static String describe(CpuSet slots, SlotSpace space) {
        return space == null ? describe(slots) : slots.isEmpty() ? "no CPUs" : "CPUs " + cut(space.describe(slots));
    }

    /** One slot for a message: {@code CPU 3}, or {@code CPU 3 of node-a} on a fleet of several nodes. */
    static String cpu(int slot, SlotSpace space) {
        if (space == null) return "CPU " + slot;
        SlotSpace.Slot s = space.slot(slot);
        if (s == null) return "slot " + slot + " (of a node that left)";
        return "CPU " + s.cpu() + (space.nodeCount() > 1 ? " of " + s.node() : "");
    }

    private static String cut(String s) {
        return s.length() > 80 ? s.substring(0, 77) + "..." : s;
    }

    /** A cpulist for a message, cut at 80 characters. */
    static String describe(CpuSet cpus) {
        String s = cpus.toCpulist();
        return cpus.isEmpty() ? "no CPUs" : "CPUs " + (s.length() > 80 ? s.substring(0, 77) + "..." : s);
    }

    static double round(double v) {
        return Math.round(v * 1000) / 1000.0;
    }
}
