package io.tsfleet.listener.web;

import io.tsfleet.listener.config.ListenerConfiguration;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.domain.CpuState;
import io.tsfleet.protocol.cpu.CpulistParser;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Per-CPU detail of this replica (what must not go into metrics at 8192 CPUs): {@code GET /api/v1/cpus}, optionally
 * filtered by {@code ?phase=OWNED|LEAVING|RELEASING|RELEASED}, and {@code GET /api/v1/cpus/{cpu}}. Refusals are
 * {@link ReplicaApiException}s, RFC 9457 problem details.
 */
@RestController
@RequestMapping("/api/v1")
public class CpuController {
    private final ReplicaEngine engine;
    private final ListenerConfiguration.ReplicaId id;

    public CpuController(ReplicaEngine engine, ListenerConfiguration.ReplicaId id) {
        this.engine = engine;
        this.id = id;
    }

    @GetMapping("/cpus")
    public CpusResponse cpus(@RequestParam(required = false) CpuState.Phase phase) {
        List<ReplicaCpuView> cpus = engine.cpus().stream().map(ReplicaCpuView::of).filter(c -> phase == null || c.phase().equals(phase.name())).toList();
        return new CpusResponse(id.value(), engine.state().name(), engine.generation(),
                engine.target() == null ? null : engine.target().toCpulist(), engine.owned().toCpulist(), engine.capacityPerSecond(),
                engine.loadRatio(), engine.pipeline().describeSink(), cpus);
    }

    @GetMapping("/cpus/{cpu}")
    public ReplicaCpuView cpu(@PathVariable int cpu) {
        if (cpu < 0 || cpu >= CpulistParser.MAX_NR_CPUS) {
            throw ReplicaApiException.badRequest("CPU out of range", "cpu " + cpu + " is not in 0.." + (CpulistParser.MAX_NR_CPUS - 1));
        }
        return engine.cpu(cpu).map(ReplicaCpuView::of)
                .orElseThrow(() -> ReplicaApiException.notFound("CPU not held", "replica " + id.value() + " holds no registration for cpu " + cpu));
    }
}
