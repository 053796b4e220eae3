package io.tsfleet.listener.web;

import io.tsfleet.listener.config.ListenerConfiguration;
import io.tsfleet.listener.engine.CpuChannelStatus;
import io.tsfleet.listener.engine.NodeSlots;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.domain.CpuState;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.sock.SockProtocol;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.List;

/**
 * Per-slot detail of this replica (what must not go into metrics at 8192 CPUs): {@code GET /api/v1/cpus}, optionally
 * filtered by {@code ?phase=OWNED|LEAVING|RELEASING|RELEASED} and {@code ?node=}, and {@code GET /api/v1/cpus/{cpu}}
 * ({@code ?node=} names the node; needed only when the replica holds the CPU on several nodes). Every CPU shows its
 * node. Refusals are {@link ReplicaApiException}s, RFC 9457 problem details.
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
    public CpusResponse cpus(@RequestParam(required = false) CpuState.Phase phase, @RequestParam(required = false) String node) {
        if (node != null) checkNode(node);
        List<ReplicaCpuView> cpus = engine.cpus().stream()
                .filter(c -> node == null || c.node().equals(node))
                .map(ReplicaCpuView::of).filter(c -> phase == null || c.phase().equals(phase.name())).toList();
        List<NodeSlots> held = engine.nodes();
        List<CpusResponse.NodeView> nodes = held.stream()
                .map(ns -> new CpusResponse.NodeView(ns.node(), ns.broker(), ns.bootId(), ns.target().toCpulist(), ns.owned().toCpulist(),
                        ns.refusal() != null ? ns.refusal() : ns.brokerRefusal()))
                .toList();
        NodeSlots only = held.size() == 1 ? held.getFirst() : null;
        String target = !engine.targetKnown() ? null : only != null ? only.target().toCpulist() : held.isEmpty() ? "" : null;
        String owned = only != null ? only.owned().toCpulist() : held.isEmpty() ? "" : null;
        return new CpusResponse(id.value(), engine.state().name(), engine.generation(), engine.ownNode(), target, owned,
                engine.capacityPerSecond(), engine.loadRatio(), engine.pipeline().describe(), nodes, cpus);
    }

    @GetMapping("/cpus/{cpu}")
    public ReplicaCpuView cpu(@PathVariable int cpu, @RequestParam(required = false) String node) {
        if (cpu < 0 || cpu >= CpulistParser.MAX_NR_CPUS) {
            throw ReplicaApiException.badRequest("CPU out of range", "cpu " + cpu + " is not in 0.." + (CpulistParser.MAX_NR_CPUS - 1));
        }
        if (node != null) {
            checkNode(node);
            return engine.cpu(node, cpu).map(ReplicaCpuView::of).orElseThrow(() -> ReplicaApiException.notFound("CPU not held",
                    "replica " + id.value() + " holds no registration for cpu " + cpu + " of node " + node));
        }
        List<CpuChannelStatus> matches = engine.cpus().stream().filter(s -> s.ledger().cpu() == cpu).toList();
        if (matches.size() > 1) {
            throw ReplicaApiException.badRequest("CPU held on several nodes", "replica " + id.value() + " holds cpu " + cpu + " on nodes "
                    + String.join(", ", matches.stream().map(CpuChannelStatus::node).toList()) + ": name one with ?node=");
        }
        return matches.stream().findFirst().map(ReplicaCpuView::of)
                .orElseThrow(() -> ReplicaApiException.notFound("CPU not held", "replica " + id.value() + " holds no registration for cpu " + cpu));
    }

    private static void checkNode(String node) {
        if (!SockProtocol.isValidNodeName(node)) {
            throw ReplicaApiException.badRequest("Invalid node", "node must be a DNS subdomain of at most "
                    + SockProtocol.MAX_NODE_NAME_LENGTH + " characters");
        }
    }
}
