package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.BrokerSession;
import io.tsfleet.emulator.broker.ClientConnection;
import io.tsfleet.emulator.broker.ConnectionRefusedException;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.broker.RefusalReason;
import io.tsfleet.emulator.live.netlink.GenlController;
import io.tsfleet.emulator.live.netlink.LiveNetlinkSocket;
import io.tsfleet.emulator.live.netlink.NativeErrnoException;
import io.tsfleet.emulator.live.netlink.NetlinkExchange;
import io.tsfleet.emulator.live.netlink.NetlinkPoller;
import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;

/**
 * The broker backend of the live kernel ({@code tsfleet.emulator.backend=kernel}): every broker connection is bound
 * to its own real {@code AF_NETLINK}/{@code NETLINK_GENERIC} socket (see {@link KernelSession}); the kernel's
 * TASKSTATS family answers, with its real family id, port ids, sequence numbers, errors and overflow behaviour.
 *
 * <p>{@link #start} checks, before the broker accepts anyone, that this process can serve it: an {@code AF_NETLINK}
 * socket opens, the controller knows {@code TASKSTATS} ({@code CONFIG_TASKSTATS}), the kernel accepts a (no-op)
 * deregistration from this process — which needs CAP_NET_ADMIN and the init user and pid namespaces — the process is in
 * the initial network namespace (where the kernel delivers events), and the id chosen for {@code TSFLEET_SOCK} is not a
 * kernel family. Any failure is a {@link KernelBackendUnavailableException}
 * that says what is missing.
 */
public final class KernelBackend implements BrokerBackend {
    private static final Logger LOG = LoggerFactory.getLogger(KernelBackend.class);
    private static final Duration KERNEL_TIMEOUT = Duration.ofSeconds(2);

    private final KernelBackendSettings settings;
    private final LiveSystem system;
    private final ResolvedFamily taskstats;
    private final RequestRouter router;
    private final NetlinkPoller poller;
    private final ProcNetNetlink proc;
    private final KernelBackendStats stats = new KernelBackendStats();
    private final LiveNetlinkSocket portIdAnchor;
    private final LoopbackPeerTrust peerTrust;

    private KernelBackend(KernelBackendSettings settings, LiveSystem system, NodeIdentity node, ResolvedFamily taskstats, NetlinkPoller poller,
                          LiveNetlinkSocket portIdAnchor, LoopbackPeerTrust peerTrust) {
        this.settings = settings;
        this.peerTrust = peerTrust;
        this.portIdAnchor = portIdAnchor;
        this.system = system;
        this.taskstats = taskstats;
        this.router = new RequestRouter(taskstats, settings.sockFamilyId(), node);
        this.poller = poller;
        this.proc = new ProcNetNetlink(ProcNetNetlink.DEFAULT);
    }

    /**
     * Probes the live kernel and starts the backend, or fails with what is missing.
     *
     * <p>The probe socket stays open for the backend's lifetime: it holds the port id the kernel autobinds first (the
     * process id), so every connection's socket gets one of the kernel's random negative port ids instead, and a port
     * id is practically never handed to a second connection.
     *
     * <p>{@code node} is the node this backend serves and its kernel's current boot: {@code TSFLEET_SOCK CMD_GET}
     * reports them, and the sequence epoch derived from the boot id, to every connection.
     */
    public static KernelBackend start(KernelBackendSettings settings, LiveSystem system, NodeIdentity node) {
        return start(settings, system, node, LoopbackPeerTrust.forThisProcess(settings.trustedUids()));
    }

    /** {@link #start(KernelBackendSettings, LiveSystem, NodeIdentity)} with the given trust of tokenless loopback clients. */
    static KernelBackend start(KernelBackendSettings settings, LiveSystem system, NodeIdentity node, LoopbackPeerTrust peerTrust) {
        java.util.Objects.requireNonNull(node, "node");
        InitNetworkNamespace.problem(InitNetworkNamespace.PROC).ifPresent(p -> {
            throw new KernelBackendUnavailableException(p);
        });
        LiveNetlinkSocket anchor;
        try {
            anchor = openAnchor();
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new KernelBackendUnavailableException("cannot open an AF_NETLINK/NETLINK_GENERIC socket: " + e, e);
        }
        ResolvedFamily taskstats;
        NetlinkPoller poller;
        try {
            taskstats = probe(anchor, settings);
            poller = new NetlinkPoller("tsfleet-netlink-poller");
        } catch (IOException e) {
            anchor.close();
            throw new KernelBackendUnavailableException("cannot start the netlink poller (epoll): " + e.getMessage(), e);
        } catch (RuntimeException e) {
            anchor.close();
            throw e;
        }
        LOG.info("kernel backend ready: TASKSTATS family id " + taskstats.id() + ", TSFLEET_SOCK served as id "
                + settings.sockFamilyId() + ", possible CPUs " + system.possibleCpus().toCpulist() + ", NR_CPUS " + system.nrCpus()
                + (settings.hasToken() ? ", token required" : ", loopback clients of uids " + peerTrust.trustedUids() + " only") + ", receive buffer floor "
                + settings.receiveBufferFloor() + " bytes, backlog " + settings.backlogBytes() + " bytes per connection and "
                + settings.backlogTotalBytes() + " in all; node " + node.name() + ", boot " + node.bootId());
        return new KernelBackend(settings, system, node, taskstats, poller, anchor, peerTrust);
    }

    /** A socket on the process id's port id, the one autobind tries first; any socket when another one already holds it. */
    private static LiveNetlinkSocket openAnchor() throws IOException {
        try {
            return LiveNetlinkSocket.openBound((int) ProcessHandle.current().pid());
        } catch (NativeErrnoException e) {
            if (e.errno() != Errno.EADDRINUSE.code()) throw e;
            return LiveNetlinkSocket.open();
        }
    }

    private static ResolvedFamily probe(LiveNetlinkSocket s, KernelBackendSettings settings) {
        try {
            ResolvedFamily taskstats = GenlController.byName(s, TaskstatsProtocol.FAMILY_NAME, KERNEL_TIMEOUT).orElseThrow(
                    () -> new KernelBackendUnavailableException("the kernel has no TASKSTATS generic netlink family: "
                            + "it was built without CONFIG_TASKSTATS, so the kernel backend cannot run on this node"));
            checkPrivilege(s, taskstats);
            Optional<ResolvedFamily> clash = GenlController.byId(s, settings.sockFamilyId(), KERNEL_TIMEOUT);
            if (clash.isPresent()) {
                throw new KernelBackendUnavailableException("the TSFLEET_SOCK family id " + settings.sockFamilyId()
                        + " is taken by the kernel family " + clash.get().name());
            }
            return taskstats;
        } catch (KernelBackendUnavailableException e) {
            throw e;
        } catch (IOException | RuntimeException | LinkageError e) {
            throw new KernelBackendUnavailableException("cannot use the kernel's generic netlink (AF_NETLINK/NETLINK_GENERIC): " + e, e);
        }
    }

    /** A deregistration of the empty cpulist: changes nothing, but the kernel checks privilege and namespaces first. */
    private static void checkPrivilege(LiveNetlinkSocket s, ResolvedFamily taskstats) throws IOException {
        var probe = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, TaskstatsProtocol.GENL_VERSION)
                .attribute(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK, new byte[] {0})
                .build(taskstats.id(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 1, 0);
        int errno = NetlinkExchange.run(s, probe, KERNEL_TIMEOUT, KERNEL_TIMEOUT).errno().orElseThrow(
                () -> new KernelBackendUnavailableException("the kernel did not answer a TASKSTATS request within " + KERNEL_TIMEOUT));
        if (errno == Errno.EPERM.negative()) {
            throw new KernelBackendUnavailableException("the kernel refuses TASKSTATS commands from this process (EPERM): "
                    + "the kernel backend needs CAP_NET_ADMIN (run it as root or grant the capability)");
        }
        if (errno == Errno.EINVAL.negative()) {
            throw new KernelBackendUnavailableException("the kernel refuses listener registration from this process (EINVAL): "
                    + "it must run in the init user and pid namespaces (on Kubernetes: hostPID, no user namespace)");
        }
        if (errno != 0) throw new KernelBackendUnavailableException("unexpected answer of the kernel to a TASKSTATS probe: errno " + errno);
    }

    @Override
    public String name() {
        return "kernel";
    }

    public ResolvedFamily taskstatsFamily() {
        return taskstats;
    }

    public LiveSystem system() {
        return system;
    }

    public int sockFamilyId() {
        return settings.sockFamilyId();
    }

    /** What the backend counted so far (published as metrics by the application). */
    public KernelBackendStats stats() {
        return stats;
    }

    @Override
    public BrokerSession open(ClientConnection connection) throws IOException {
        ConnectionPrivilege privilege;
        try {
            privilege = ConnectionPrivilege.admit(connection.remoteAddress(), settings.token());
            if (!settings.hasToken()) peerTrust.check(connection.remoteAddress(), connection.localAddress());
        } catch (SecurityException e) {
            // the server logs refusals (throttled) and tells the client the reason
            stats.refusedConnections.increment();
            ConnectionRefusedException refused = new ConnectionRefusedException(RefusalReason.TOKEN_REQUIRED, e.getMessage());
            refused.initCause(e);
            throw refused;
        } catch (ConnectionRefusedException e) {
            stats.refusedConnections.increment();
            throw e;
        }
        LiveNetlinkSocket socket;
        try {
            socket = LiveNetlinkSocket.open();
        } catch (IOException e) {
            stats.refusedConnections.increment();
            throw e;
        }
        LiveSocketControl control;
        try {
            control = new LiveSocketControl(socket, proc, settings.receiveBufferFloor());
        } catch (IOException e) {
            socket.close();
            stats.refusedConnections.increment();
            throw e;
        }
        KernelSession session = new KernelSession(connection, socket, control, router, privilege,
                system.possibleCpus().toCpulist(), settings.backlogBytes(), settings.backlogTotalBytes(), stats);
        stats.sockets.incrementAndGet();
        try {
            session.watch(poller);
        } catch (IOException | RuntimeException e) {
            session.close();
            throw e;
        }
        return session;
    }

    @Override
    public void close() {
        poller.close();
        portIdAnchor.close();
    }
}
