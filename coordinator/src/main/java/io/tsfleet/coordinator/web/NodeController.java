package io.tsfleet.coordinator.web;

import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.tags.Tag;
import io.tsfleet.coordinator.domain.view.NodeView;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import io.tsfleet.protocol.fleet.NodeLease;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/** The node agents' contract (an announcement in, the lease out; a withdrawal) and the list of registered nodes. */
@RestController
@Tag(name = "nodes", description = "Node agents announce their node and keep a lease")
public class NodeController {
    private final CoordinatorService service;

    public NodeController(CoordinatorService service) {
        this.service = service;
    }

    @PutMapping("/internal/v1/nodes/{name}")
    @Operation(summary = "Announcement of a node agent (join, renewal, or reboot with a new boot id); answers the node's lease")
    public NodeLease announce(@PathVariable String name, @RequestBody NodeAnnouncement announcement) {
        return service.announce(name, announcement);
    }

    @DeleteMapping("/internal/v1/nodes/{name}")
    @ResponseStatus(HttpStatus.NO_CONTENT)
    @Operation(summary = "A node agent withdraws its node (shutdown): the node is dropped at once")
    public void withdraw(@PathVariable String name) {
        service.withdrawNode(name);
    }

    @GetMapping("/api/v1/nodes")
    @Operation(summary = "The nodes whose agents hold a lease, by name")
    public List<NodeView> nodes() {
        return service.call(c -> c.nodes());
    }
}
