package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.BrokerSettings;
import io.tsfleet.emulator.conformance.ConformanceSuite;
import io.tsfleet.emulator.conformance.ExitProducer;
import io.tsfleet.emulator.conformance.MachineShape;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;

/**
 * The kernel oracle replayed over TCP through the broker server and the kernel backend against the live kernel
 * (skipped without root/TASKSTATS/gcc). The machine shape comes from the live system: sysfs for the possible CPUs
 * and {@code kernel_max + 1} for NR_CPUS; where it differs from the recorded machine (NR_CPUS 256, CPUs 0-1), the
 * suite derives the cpumask answers from these live values with the kernel grammar instead of the recorded ones.
 * Exits come from {@link PinnedExitDaemon} (forked, not exec'd, pinned children: the recorder's shape); foreign exits
 * of other processes are ignored by pid, as the recording did.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KernelConformanceTest extends ConformanceSuite {
    private static final String TOKEN = "kernel-conformance-token";

    private KernelBackend backend;
    private BrokerServer server;
    private PinnedExitDaemon exits;
    private MachineShape machine;

    @BeforeAll
    void startBroker() throws Exception {
        LiveKernel.assumeAvailable();
        exits = PinnedExitDaemon.start();
        LiveSystem live = LiveSystem.read(LiveSystem.SYSFS_CPU);
        machine = new MachineShape(live.nrCpus(), live.possibleCpus());
        backend = KernelBackend.start(KernelBackendSettings.withToken(TOKEN), live, LiveKernel.node());
        server = new BrokerServer(backend, new BrokerSettings("127.0.0.1", 0, 2, 1_000, 128 * 1024, Duration.ofSeconds(10), BrokerSettings.DEFAULT_TCP_SEND_BUFFER, java.time.Duration.ZERO), Clock.systemUTC());
        server.start();
    }

    @AfterAll
    void stopBroker() throws Exception {
        if (server != null) server.close();
        if (backend != null) backend.close();
        if (exits != null) exits.close();
    }

    @Override
    protected InetSocketAddress brokerAddress() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    @Override
    protected ExitProducer exits() {
        return exits;
    }

    @Override
    protected MachineShape machine() {
        return machine;
    }

    /** The test JVM: alive for the whole run, as the recorder's own process was. */
    @Override
    protected int aliveTaskPid() {
        return (int) ProcessHandle.current().pid();
    }

    @Override
    protected String token() {
        return TOKEN;
    }

    @Override
    protected String nodeName() {
        return LiveKernel.NODE_NAME;
    }

    /** The running kernel's, read from procfs here, independently of the backend. */
    @Override
    protected String bootId() {
        try {
            return java.nio.file.Files.readString(LiveSystem.BOOT_ID).trim();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** A file descriptor number in a request names a descriptor of the broker process, not of the client. */
    @Override
    protected boolean canReplayFd(String path) {
        return false;
    }
}
