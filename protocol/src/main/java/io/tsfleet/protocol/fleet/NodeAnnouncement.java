package io.tsfleet.protocol.fleet;

/**
 * What a node agent (the kernel backend, or the emulator standing in for a node) tells the coordinator when it starts
 * and then every {@link NodeLease#announceIntervalMillis()} ({@code PUT /internal/v1/nodes/{name}}): which node it is,
 * which boot of that node's kernel, which CPUs the kernel can report exits of, and where replicas reach its broker.
 * An announcement of a known node with another boot id is a reboot of that node.
 *
 * @param nodeName         the node's name, a DNS subdomain as Kubernetes names nodes; the same as the path's
 * @param bootId           the kernel's boot id ({@code /proc/sys/kernel/random/boot_id}, a UUID)
 * @param possibleCpus     the node's possible CPUs, a cpulist
 * @param advertisedBroker {@code host:port} of the node's broker, as replicas should dial it
 * @param delayAccounting  whether the kernel fills the delay fields: {@link #ON}, {@link #OFF} or {@link #UNKNOWN}
 * @param zone             the node's zone ({@code topology.kubernetes.io/zone}); null or empty when unknown
 */
public record NodeAnnouncement(String nodeName, String bootId, String possibleCpus, String advertisedBroker, String delayAccounting,
                               String zone) {

    /** Delay accounting is on ({@code kernel.task_delayacct=1}, or the emulated kernel). */
    public static final String ON = "on";
    /** Delay accounting is off: every delay field of the node's records is zero. */
    public static final String OFF = "off";
    /** The switch could not be read. */
    public static final String UNKNOWN = "unknown";
}
