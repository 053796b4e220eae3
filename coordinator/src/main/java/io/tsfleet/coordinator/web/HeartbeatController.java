package io.tsfleet.coordinator.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import io.tsfleet.protocol.fleet.ReplicaHeartbeat;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/** The listener/coordinator contract: a heartbeat in, the replica's directive out. */
@RestController
@Tag(name = "replicas (internal)", description = "The listener replicas' heartbeat")
public class HeartbeatController {
    private final CoordinatorService service;

    public HeartbeatController(CoordinatorService service) {
        this.service = service;
    }

    @PostMapping("/internal/v1/replicas/{id}/heartbeat")
    @Operation(summary = "Heartbeat of a listener replica; answers its directive (target CPUs, release fences, generation)")
    public ReplicaDirective heartbeat(@PathVariable String id, @RequestBody ReplicaHeartbeat heartbeat) {
        return service.heartbeat(id, heartbeat);
    }
}
