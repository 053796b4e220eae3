package io.tsfleet.coordinator.config;

import org.springframework.scheduling.annotation.SchedulingConfigurer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.swagger.v3.oas.models.Components;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.info.Info;
import io.swagger.v3.oas.models.security.SecurityRequirement;
import io.swagger.v3.oas.models.security.SecurityScheme;
import io.tsfleet.coordinator.domain.CoordinatorSettings;
import io.tsfleet.coordinator.domain.fleet.NodeSettings;
import io.tsfleet.coordinator.domain.fleet.ReconcilerSettings;
import io.tsfleet.planner.CpuAssignor;
import io.tsfleet.planner.PlannerSettings;
import io.tsfleet.planner.StickyBalancedAssignor;
import io.tsfleet.coordinator.domain.policy.PolicySettings;
import io.tsfleet.coordinator.domain.policy.ScalingSettings;
import io.tsfleet.coordinator.domain.state.AssignmentStore;
import io.tsfleet.coordinator.domain.state.InMemoryAssignmentStore;
import io.tsfleet.coordinator.kubernetes.KubernetesDeploymentScaler;
import io.tsfleet.coordinator.kubernetes.KubernetesLeaseLeadership;
import io.tsfleet.coordinator.kubernetes.LeaderPodLabel;
import io.tsfleet.coordinator.kubernetes.PodLabellingLeadership;
import io.tsfleet.coordinator.metrics.LeaderLabelMetrics;
import io.tsfleet.coordinator.kubernetes.Leadership;
import io.tsfleet.coordinator.kubernetes.ReplicaScaler;
import io.tsfleet.coordinator.kubernetes.SingleNodeLeadership;
import io.tsfleet.coordinator.persistence.ConfigMapAssignmentStore;
import io.tsfleet.coordinator.persistence.FileAssignmentStore;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Wires the domain core to its adapters, from {@link CoordinatorProperties}. */
@Configuration(proxyBeanMethods = false)
public class CoordinatorConfiguration {

    @Bean
    @ConditionalOnMissingBean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    CoordinatorSettings coordinatorSettings(CoordinatorProperties p) {
        CpuSet possible;
        try {
            possible = CpuSet.parse(p.possibleCpus().trim());
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException("tsfleet.coordinator.possible-cpus='" + p.possibleCpus() + "' is not a valid cpulist: " + e.getMessage(), e);
        }
        CoordinatorProperties.Policy po = p.policy();
        CoordinatorProperties.Scaling sc = p.scaling();
        return new CoordinatorSettings(possible, p.heartbeatInterval(), p.lease(), p.loadSmoothing(),
                new PlannerSettings(p.planner().headroom(), p.planner().balanceTolerance(), p.planner().cpuBaseWeight()),
                new PolicySettings(po.imbalanceThreshold(), po.imbalanceSustain(), po.overflowSustain(), po.cooldown(), po.loadWarmup()),
                new ReconcilerSettings(p.handover().timeout(), p.handover().retryBackoff(), p.handover().maxInFlight()),
                new ScalingSettings(sc.minReplicas(), sc.maxReplicas(), sc.tolerance(), sc.scaleDownStabilization()),
                p.auditCapacity(), p.effectiveMaxMembers(), p.staticNode());
    }

    @Bean
    @ConditionalOnMissingBean
    CpuAssignor cpuAssignor() {
        return new StickyBalancedAssignor();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnProperty(prefix = "tsfleet.coordinator.kubernetes", name = "enabled", havingValue = "true")
    @ConditionalOnMissingBean
    KubernetesClient kubernetesClient() {
        return new KubernetesClientBuilder().build();
    }

    @Bean
    @ConditionalOnMissingBean
    AssignmentStore assignmentStore(CoordinatorProperties p, ObjectProvider<KubernetesClient> kubernetes) {
        return switch (p.store()) {
            case FILE -> new FileAssignmentStore(Path.of(p.stateFile()));
            case MEMORY -> new InMemoryAssignmentStore();
            case CONFIGMAP -> {
                KubernetesClient client = kubernetes.getIfAvailable();
                if (client == null) throw new IllegalStateException("tsfleet.coordinator.store=configmap needs tsfleet.coordinator.kubernetes.enabled=true");
                yield new ConfigMapAssignmentStore(client, namespace(p, client), p.kubernetes().configMap());
            }
        };
    }

    @Bean
    @ConditionalOnMissingBean
    Leadership leadership(CoordinatorProperties p, ObjectProvider<KubernetesClient> kubernetes, ObjectProvider<LeaderPodLabel> podLabel) {
        KubernetesClient client = kubernetes.getIfAvailable();
        if (client == null) return new SingleNodeLeadership();
        CoordinatorProperties.Kubernetes k = p.kubernetes();
        String identity = !k.identity().isBlank() ? k.identity() : Optional.ofNullable(System.getenv("HOSTNAME")).orElse("coordinator-" + ProcessHandle.current().pid());
        Leadership lease = new KubernetesLeaseLeadership(client, namespace(p, client), k.leaseName(), identity, k.leaseDuration(), k.renewDeadline(), k.retryPeriod());
        LeaderPodLabel label = podLabel.getIfAvailable();
        return label == null ? lease : new PodLabellingLeadership(lease, label, k.retryPeriod());
    }

    /** The leader's pod label ({@code tsfleet.coordinator.kubernetes.leader-label.enabled=true}). */
    @Bean
    @ConditionalOnProperty(prefix = "tsfleet.coordinator.kubernetes.leader-label", name = "enabled", havingValue = "true")
    LeaderPodLabel leaderPodLabel(CoordinatorProperties p, ObjectProvider<KubernetesClient> kubernetes) {
        KubernetesClient client = kubernetes.getIfAvailable();
        if (client == null) throw new IllegalStateException("tsfleet.coordinator.kubernetes.leader-label.enabled=true needs tsfleet.coordinator.kubernetes.enabled=true");
        CoordinatorProperties.LeaderLabel l = p.kubernetes().leaderLabel();
        String pod = !l.podName().isBlank() ? l.podName()
                : Optional.ofNullable(System.getenv("POD_NAME")).filter(s -> !s.isBlank()).orElse(System.getenv("HOSTNAME"));
        return new LeaderPodLabel(client, namespace(p, client), pod, l.key(), LeaderPodLabel.parseSelector(l.peerSelector()));
    }

    @Bean
    LeaderLabelMetrics leaderLabelMetrics(ObjectProvider<LeaderPodLabel> label) {
        return new LeaderLabelMetrics(Optional.ofNullable(label.getIfAvailable()));
    }

    /** The coordinator's tick, every {@link CoordinatorProperties#tickInterval()} (validated with the other settings). */
    @Bean
    SchedulingConfigurer coordinatorTick(CoordinatorService service, CoordinatorProperties p) {
        return registrar -> registrar.addFixedDelayTask(service::tick, p.tickInterval());
    }

    @Bean
    CoordinatorService coordinatorService(CoordinatorSettings settings, CpuAssignor assignor, AssignmentStore store, Clock clock,
                                          Leadership leadership, CoordinatorProperties p, ObjectProvider<KubernetesClient> kubernetes) {
        Optional<ReplicaScaler> scaler = Optional.empty();
        if (p.scaling().apply()) {
            KubernetesClient client = kubernetes.getIfAvailable();
            if (client == null) throw new IllegalStateException("tsfleet.coordinator.scaling.apply=true needs tsfleet.coordinator.kubernetes.enabled=true");
            scaler = Optional.of(new KubernetesDeploymentScaler(client, namespace(p, client), p.scaling().deployment()));
        }
        NodeSettings nodes = new NodeSettings(p.nodes().lease(), p.nodes().announceInterval(), p.nodes().maxNodes());
        return new CoordinatorService(settings, nodes, assignor, store, clock, leadership, scaler, p.scaling().applyInterval());
    }

    @Bean
    OpenAPI coordinatorOpenApi() {
        return new OpenAPI()
                .info(new Info().title("taskstats-fleet coordinator").version("v1")
                        .description("Admin API of the coordinator: assignment, replicas, masks, drains, rebalances, per-CPU detail, "
                                + "scaling and the audit log. Errors are RFC 9457 problem+json. Reads need a read or admin token, "
                                + "writes an admin token (Authorization: Bearer <token>)."))
                .components(new Components().addSecuritySchemes("bearer", new SecurityScheme()
                        .type(SecurityScheme.Type.HTTP).scheme("bearer")))
                .addSecurityItem(new SecurityRequirement().addList("bearer"));
    }

    static String namespace(CoordinatorProperties p, KubernetesClient client) {
        String ns = p.kubernetes().namespace();
        if (ns != null && !ns.isBlank()) return ns;
        String fromClient = client.getNamespace();
        return fromClient != null ? fromClient : "default";
    }
}
