package io.tsfleet.emulator.emulated;

import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.BrokerSettings;
import io.tsfleet.emulator.conformance.ConformanceSuite;
import io.tsfleet.emulator.conformance.ExitProducer;
import io.tsfleet.emulator.conformance.MachineShape;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.ExitResult;
import io.tsfleet.emulator.emulated.kernel.ExitSpec;
import io.tsfleet.emulator.emulated.kernel.KernelConfig;
import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;

/** The oracle replayed over TCP against the emulated kernel configured like the recorded machine. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EmulatedConformanceTest extends ConformanceSuite {
    private static final String TOKEN = "conformance-token";
    private static final String NODE = "emulated-conformance.zone-a";
    private static final MachineShape ORACLE_MACHINE = new MachineShape(256, CpuSet.of(0, 1));

    private EmulatedKernel kernel;
    private BrokerServer server;
    private int alivePid;

    @BeforeAll
    void startBroker() throws IOException {
        // a family id other than the recorded 31: clients must resolve it
        KernelConfig config = KernelConfig.of(ORACLE_MACHINE.nrCpus(), ORACLE_MACHINE.possible()).withToken(TOKEN).withFirstFamilyId(0x1A)
                .withNodeName(NODE);
        kernel = new EmulatedKernel(config, Clock.systemUTC());
        server = new BrokerServer(new EmulatedBackend(kernel), BrokerSettings.defaults(0), Clock.systemUTC());
        server.start();
        alivePid = kernel.spawn("conformance", 1, 0);
    }

    @AfterAll
    void stopBroker() {
        server.close();
    }

    @Override
    protected InetSocketAddress brokerAddress() {
        return new InetSocketAddress("127.0.0.1", server.port());
    }

    @Override
    protected ExitProducer exits() {
        return (cpu, threads, exitCode, signal) -> {
            ExitResult r = kernel.exit(new ExitSpec(cpu, null, null, threads, signal == null ? exitCode : null, signal, false,
                    null, null, null, true, null));
            return new ExitProducer.ExitedTask(r.tgid(), r.threads().stream().map(ExitResult.ThreadExit::pid).toList());
        };
    }

    @Override
    protected MachineShape machine() {
        return ORACLE_MACHINE;
    }

    @Override
    protected int aliveTaskPid() {
        return alivePid;
    }

    /** Only the suite's producer ends tasks here (the workload generator is not running): the overflow invariants are exact. */
    @Override
    protected boolean foreignExitsPossible() {
        return false;
    }

    @Override
    protected String token() {
        return TOKEN;
    }

    @Override
    protected String nodeName() {
        return NODE;
    }

    @Override
    protected String bootId() {
        return kernel.bootId().toString();
    }
}
