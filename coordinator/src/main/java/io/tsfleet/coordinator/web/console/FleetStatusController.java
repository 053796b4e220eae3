package io.tsfleet.coordinator.web.console;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tsfleet.coordinator.domain.view.CoordinatorStatus;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/v1/status}: the fleet's numbers in one read (generation, uncovered CPUs, replicas by state,
 * handovers, imbalance against its floor, desired replicas, counters), the same values the metrics export. The
 * web console shows them; like every read of the admin API it needs a read or admin token, and answers 503 on an
 * instance that does not lead.
 */
@RestController
@RequestMapping("/api/v1")
@Tag(name = "admin")
public class FleetStatusController {
    private final CoordinatorService service;

    public FleetStatusController(CoordinatorService service) {
        this.service = service;
    }

    @GetMapping("/status")
    @Operation(summary = "The fleet's numbers: generation, coverage, replicas by state, handovers, imbalance and its floor, "
            + "desired replicas, counters (what the metrics export)")
    public CoordinatorStatus status() {
        return service.call(c -> c.status());
    }
}
