package io.tsfleet.emulator.emulated.config;

import io.tsfleet.emulator.app.DelayAccountingReport;
import io.tsfleet.emulator.app.EmulatorProperties;
import io.tsfleet.emulator.broker.DelayAccounting;
import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.emulated.EmulatedBackend;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.KernelConfig;
import io.tsfleet.emulator.emulated.workload.WorkloadGenerator;
import io.tsfleet.emulator.emulated.workload.WorkloadPlan;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.time.Clock;

/** The emulated kernel and its workload ({@code tsfleet.emulator.backend=emulated}, the default). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "tsfleet.emulator.backend", havingValue = "emulated", matchIfMissing = true)
public class EmulatedBackendConfiguration {

    @Bean
    EmulatedKernel emulatedKernel(EmulatorProperties props, Clock clock) {
        EmulatorProperties.Kernel k = props.kernel();
        CpuSet possible;
        try {
            possible = CpuSet.parse(k.possibleCpus());
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException("tsfleet.emulator.kernel.possible-cpus '" + k.possibleCpus() + "': " + e.getMessage(), e);
        }
        return new EmulatedKernel(new KernelConfig(k.nrCpus(), possible, k.rmemDefault(), k.rmemMax(), props.broker().token(), k.seed(),
                k.firstFamilyId(), k.zombieLimit(), props.node().effectiveName()), clock);
    }

    /**
     * The emulated node: its configured name and the boot id its kernel drew when it started, exactly what the kernel's
     * {@code TSFLEET_SOCK} reports to every connection.
     */
    @Bean
    NodeIdentity nodeIdentity(EmulatedKernel kernel) {
        return new NodeIdentity(kernel.config().nodeName(), kernel.bootId().toString());
    }

    @Bean
    BrokerBackend emulatedBackend(EmulatedKernel kernel) {
        return new EmulatedBackend(kernel);
    }

    @Bean
    WorkloadGenerator workloadGenerator(EmulatedKernel kernel, EmulatorProperties props, Clock clock) {
        WorkloadPlan initial = WorkloadPlan.steady(props.workload().enabled() ? props.workload().baseRate() : 0, props.workload().seed());
        return new WorkloadGenerator(kernel.config().possibleCpus(), kernel::exitGenerated, clock, initial, 200_000,
                props.workload().maxCatchUp());
    }

    /** The emulated kernel has no delay-accounting switch: it always fills the delay fields, and says so. */
    @Bean
    DelayAccountingReport delayAccountingReport() {
        return new DelayAccountingReport(() -> DelayAccounting.EMULATED, () -> null);
    }

    @Bean
    WorkloadRunner workloadRunner(WorkloadGenerator generator, EmulatorProperties props) {
        return new WorkloadRunner(generator, props.workload());
    }
}
