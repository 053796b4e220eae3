package io.tsfleet.coordinator.domain;

/** What an audit entry records; {@link #label()} is the {@code type} the admin API and the console show. */
public enum AuditType {
    /** The coordinator started without a persisted assignment. */
    START("start"),
    /** The coordinator recovered the persisted assignment. */
    RECOVERED("recovered"),
    /** A replica joined. */
    JOINED("joined"),
    /** A replica recovered from the persisted assignment heartbeated as the same process. */
    CONFIRMED("confirmed"),
    /** A replica came back as another process and replaced its predecessor. */
    RESTARTED("restarted"),
    /** A replica had applied a generation above this coordinator's, which raised its own above it. */
    GENERATION_RAISED("generation-raised"),
    /** No replica heartbeated for a lease: every lease was extended once. */
    FLEET_SILENT("fleet-silent"),
    /** The first heartbeat after the whole fleet was silent. */
    FLEET_HEARD("fleet-heard"),
    /** A replica's lease expired. */
    EXPIRED("expired"),
    /** The coordinator itself did not run for more than half a lease. */
    STALLED("stalled"),
    /** An operator pinned a mask. */
    MASK_SET("mask-set"),
    /** An operator removed a pin. */
    MASK_CLEARED("mask-cleared"),
    /** A plan was made. */
    PLAN("plan"),
    /** A rebalance was asked for and not made. */
    REBALANCE_SKIPPED("rebalance-skipped"),
    /** A replica started draining. */
    DRAINING("draining"),
    /** A snapshot could not be persisted. */
    PERSIST_FAILED("persist-failed"),
    /** A handover was rolled back. */
    HANDOVER_ROLLED_BACK("handover-rolled-back"),
    /** A replica took a CPU without a handover, because its owner was gone. */
    OWNERSHIP_TAKEN("ownership-taken"),
    /** A replica registered on a CPU it does not own was told to release it after a fence. */
    STRAY_FENCED("stray-fenced"),
    /** A replica did not release a CPU in time after its fence; the new owner keeps it. */
    RELEASE_STUCK("release-stuck"),
    /** The listener Deployment was scaled. */
    SCALED("scaled"),
    /** A node agent announced a new node. */
    NODE_JOINED("node-joined"),
    /** A known node announced another boot id. */
    NODE_REBOOTED("node-rebooted"),
    /** A node's lease expired. */
    NODE_EXPIRED("node-expired"),
    /** A node's agent withdrew it. */
    NODE_LEFT("node-left");

    private final String label;

    AuditType(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }
}
