package io.tsfleet.coordinator.simulation;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * One node of the simulated fleet: its kernel (per-CPU u32 sequence counters that start anew at every boot, some just
 * below the wrap), its broker (up or down; a reboot takes it down and brings it back with a new boot id) and its node
 * agent (announcing through {@code Coordinator.announce}, or silent). The truth about its exits is one {@link Ledger}
 * per boot, so {@code (node, boot, cpu, seq)} names one exit as it does for a consumer of the records.
 */
final class SimNode {
    final String name;
    final CpuSet cpus;
    /** The broker address the agent advertises; null on a static fleet (replicas dial their configured broker). */
    final String broker;
    final double[] rate;
    final long[] seq;
    final List<Ledger> ledgers = new ArrayList<>();
    final List<String> boots = new ArrayList<>();
    String bootId;
    Ledger ledger;
    long bootStartedMillis;

    /** Whether the broker runs (false before the first boot, while rebooting, after a crash or shutdown). */
    boolean brokerUp;
    /** Whether the agent announces (false: it was stopped, or it is silent and its lease runs out). */
    boolean agentUp;
    /** Whether the node has been shut down for good (withdrawn); a later node of the same name is another {@link SimNode}. */
    boolean retired;
    /** The agent's messages are sent one after the other: the next one arrives no earlier than this. */
    long agentChannelFreeAt;

    // what the simulation saw of the coordinator (updated after every event)
    /** Whether the coordinator's slot space holds the node. */
    boolean inFleet;
    /** The boot the coordinator's slot space names. */
    String fleetBootId;
    /** Until then, uncovered exits are expected: the node joined, or the coordinator learned of its reboot. */
    long coveringUntilMillis;
    /** When the coordinator dropped the node, and the generation it did so under (-1: it is in the fleet). */
    long leftAtMillis = -1, leftGeneration = -1;
    /** Until then, the node is back in the fleet after it left: a replica may still keep records there under its old target. */
    long rejoinedUntilMillis;

    SimNode(String name, CpuSet cpus, String broker, Random rnd, int minRate, int maxRate) {
        this.name = name;
        this.cpus = cpus;
        this.broker = broker;
        int n = cpus.length();
        this.rate = new double[n];
        this.seq = new long[n];
        for (int c = 0; c < n; c++) rate[c] = cpus.contains(c) ? minRate + rnd.nextInt(maxRate - minRate) : 0;
    }

    /** A new boot: a new boot id and sequences that start anew (some just below the u32 wrap). */
    void boot(Random rnd, long nowMillis, boolean withBootId) {
        for (int c = 0; c < seq.length; c++) {
            seq[c] = rnd.nextInt(4) == 0 ? 0xFFFF_FFFFL - rnd.nextInt(500) : rnd.nextInt(1_000_000);
        }
        bootId = withBootId ? new UUID(rnd.nextLong(), rnd.nextLong()).toString() : null;
        boots.add(bootId);
        ledger = new Ledger(name + (withBootId ? " boot " + boots.size() : "") + " ", seq);
        ledgers.add(ledger);
        bootStartedMillis = nowMillis;
        brokerUp = true;
    }

    NodeAnnouncement announcement() {
        return new NodeAnnouncement(name, bootId, cpus.toCpulist(), broker, NodeAnnouncement.ON, null);
    }

    @Override
    public String toString() {
        return name;
    }
}
