package io.tsfleet.emulator.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.workload.WorkloadGenerator;
import io.tsfleet.emulator.emulated.workload.WorkloadPlan;
import io.tsfleet.protocol.cpu.CpuSet;
import jakarta.validation.Valid;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.env.Environment;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The synthetic workload: rates, hot spots, bursts, a moving load and the seed. */
@RestController
@RequestMapping("/api/v1/workload")
@ConditionalOnProperty(name = "tsfleet.emulator.backend", havingValue = "emulated", matchIfMissing = true)
class WorkloadController {
    private final WorkloadGenerator generator;
    private final EmulatedKernel kernel;
    private final boolean enabled;

    WorkloadController(WorkloadGenerator generator, EmulatedKernel kernel, Environment env) {
        this.generator = generator;
        this.kernel = kernel;
        this.enabled = env.getProperty("tsfleet.emulator.workload.enabled", Boolean.class, true);
    }

    @Operation(summary = "The current workload plan")
    @GetMapping
    WorkloadBody get() {
        return body(generator.plan());
    }

    @Operation(summary = "Replace the workload plan", description = "Bursts count from now. A bad body is a 400 and changes nothing.")
    @PutMapping
    WorkloadBody put(@Valid @RequestBody WorkloadBody b) {
        if (!enabled) throw ControlApiException.conflict("the workload generator is disabled (tsfleet.emulator.workload.enabled=false)");
        CpuSet possible = kernel.config().possibleCpus();
        CpuSet hot = b.hotCpus() == null || b.hotCpus().isBlank() ? CpuSet.EMPTY : possibleSubset(b.hotCpus(), "hotCpus", possible);
        WorkloadPlan plan;
        try {
            List<WorkloadPlan.Burst> bursts = new ArrayList<>();
            if (b.bursts() != null) {
                for (WorkloadBody.BurstBody x : b.bursts()) {
                    bursts.add(new WorkloadPlan.Burst(possibleSubset(x.cpus(), "bursts.cpus", possible), x.factor(),
                            Duration.ofMillis(x.startAfterMs()), Duration.ofMillis(x.durationMs())));
                }
            }
            WorkloadPlan.MovingLoad moving = b.moving() == null ? null
                    : new WorkloadPlan.MovingLoad(b.moving().width(), b.moving().factor(), Duration.ofMillis(b.moving().periodMs()));
            plan = new WorkloadPlan(b.baseRate(), hot, b.hotFactor() == null ? 1 : b.hotFactor(), bursts, moving,
                    b.seed() == null ? generator.plan().seed() : b.seed());
        } catch (IllegalArgumentException impossible) {
            throw ControlApiException.badRequest(impossible);
        }
        generator.apply(plan);
        return body(plan);
    }

    private static CpuSet possibleSubset(String cpulist, String what, CpuSet possible) {
        CpuSet s = EmulatorController.parse(cpulist, what);
        if (!s.isSubsetOf(possible)) throw ControlApiException.badRequest(what + ": CPUs " + s.minus(possible) + " are not possible");
        return s;
    }

    private WorkloadBody body(WorkloadPlan p) {
        return new WorkloadBody(p.baseRate(), p.hotCpus().toCpulist(), p.hotFactor(),
                p.bursts().stream().map(x -> new WorkloadBody.BurstBody(x.cpus().toCpulist(), x.factor(), x.startAfter().toMillis(),
                        x.duration().toMillis())).toList(),
                p.moving() == null ? null : new WorkloadBody.MovingBody(p.moving().width(), p.moving().factor(), p.moving().period().toMillis()),
                p.seed(), enabled);
    }
}
