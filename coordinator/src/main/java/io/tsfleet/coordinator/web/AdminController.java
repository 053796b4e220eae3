package io.tsfleet.coordinator.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.Parameter;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tsfleet.coordinator.domain.AuditEvent;
import io.tsfleet.coordinator.domain.CoordinatorException;
import io.tsfleet.coordinator.domain.policy.ScalingRecommendation;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.domain.view.CpuView;
import io.tsfleet.coordinator.domain.view.RebalanceResult;
import io.tsfleet.coordinator.domain.view.ReplicaView;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The admin API. Reads need a read or admin token, writes an admin token (see {@code SecurityConfiguration}). */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "admin", description = "Assignment, replicas, masks, drains, rebalances, CPUs, scaling, audit")
public class AdminController {
    private final CoordinatorService service;

    public AdminController(CoordinatorService service) {
        this.service = service;
    }

    /** Body of {@code PUT /replicas/{id}/mask}: CPUs of one node ({@code node} may be left out on a fleet of one node). */
    public record MaskRequest(String node, String cpus) {
    }

    @GetMapping("/assignment")
    @Operation(summary = "The assignment: generation, owner and target masks, handovers, pending releases, uncovered CPUs")
    public AssignmentView assignment() {
        return service.call(c -> c.assignment());
    }

    @GetMapping("/replicas")
    @Operation(summary = "The live replicas with their masks, loads, capacities and loss counters")
    public List<ReplicaView> replicas() {
        return service.call(c -> c.replicas());
    }

    @GetMapping("/replicas/{id}")
    @Operation(summary = "One live replica")
    public ReplicaView replica(@PathVariable String id) {
        return service.call(c -> c.replica(id));
    }

    @PutMapping("/replicas/{id}/mask")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Pin CPUs to a replica: it will own exactly these CPUs, moved make-before-break; 400 for a bad cpulist "
            + "or CPUs outside the possible set (nothing changes)")
    public RebalanceResult setMask(@PathVariable String id, @RequestBody MaskRequest body) {
        if (body == null || body.cpus() == null) throw new CoordinatorException.InvalidRequest("body must be {\"node\": \"<node>\", \"cpus\": \"<cpulist>\"} (node optional on a fleet of one node)");
        return service.setMask(id, body.node(), body.cpus());
    }

    @DeleteMapping("/replicas/{id}/mask")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Remove a replica's pin; its CPUs are planned normally again")
    public RebalanceResult clearMask(@PathVariable String id) {
        return service.call(c -> c.clearMask(id));
    }

    @PostMapping("/replicas/{id}/drain")
    @ResponseStatus(HttpStatus.ACCEPTED)
    @Operation(summary = "Drain a replica: its CPUs move away make-before-break, then its target is empty")
    public RebalanceResult drain(@PathVariable String id) {
        return service.call(c -> c.drain(id));
    }

    @PostMapping("/rebalance")
    @Operation(summary = "Plan now; with dryRun=true return the plan and its moves without applying anything")
    public RebalanceResult rebalance(@Parameter(description = "only compute the plan") @RequestParam(defaultValue = "false") boolean dryRun) {
        return service.call(c -> c.rebalance(dryRun));
    }

    @GetMapping("/cpus/{cpu}")
    @Operation(summary = "One CPU of a node: owner, target, load, losses, registrations, handover state (node optional on a fleet of one node)")
    public CpuView cpu(@PathVariable int cpu, @Parameter(description = "the node of the CPU") @RequestParam(required = false) String node) {
        return service.call(c -> c.cpu(node, cpu));
    }

    @GetMapping("/scaling")
    @Operation(summary = "The replicas the load needs (fast up, slow down) and how it was computed")
    public ScalingRecommendation scaling() {
        return service.call(c -> c.scaling());
    }

    @GetMapping("/audit")
    @Operation(summary = "The audit log, newest first")
    public List<AuditEvent> audit(@RequestParam(defaultValue = "100") int limit) {
        if (limit < 1 || limit > 10_000) throw new CoordinatorException.InvalidRequest("limit must be between 1 and 10000");
        return service.call(c -> c.audit(limit));
    }
}
