package io.tsfleet.coordinator.config;

import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Positive;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

import org.springframework.util.unit.DataSize;

import java.time.Duration;
import java.util.List;

/**
 * {@code tsfleet.coordinator.*}. Durations take Spring's formats ({@code 30s}, {@code 2m}, {@code PT1S}); token
 * lists are comma separated.
 *
 * @param possibleCpus a static fleet's CPUs, as a cpulist: the fleet watches one kernel, whose replicas dial their
 *                     configured broker. Empty (the default): a cluster fleet, whose slots are the (node, CPU) pairs of
 *                     the nodes that announce themselves ({@code PUT /internal/v1/nodes/{name}})
 * @param staticNode   the name of a static fleet's one node, as directives and views show it
 * @param store        where the assignment is persisted: {@code file} (default), {@code configmap} (Kubernetes),
 *                     {@code memory} (nothing survives a restart)
 * @param stateFile    the file of the {@code file} store; the default, set in {@code application.yaml}, is
 *                     {@code $XDG_STATE_HOME/tsfleet/coordinator-state.json}, else
 *                     {@code ~/.local/state/tsfleet/coordinator-state.json}: a per-user state directory that survives
 *                     restarts, never the working directory. The directory is created on the first write.
 * @param tickInterval how often the coordinator runs leases, timeouts, the policy and handover starts
 * @param maxMembers   how many replicas may be members at once (0: twice {@code scaling.max-replicas}); the heartbeat
 *                     of one more new replica id is refused with 409
 * @param maxRequestBody the largest request body the API takes (heartbeats, admin calls); larger ones get 413
 * @param nodes        the leases of node agents ({@code PUT /internal/v1/nodes/{name}})
 */
@ConfigurationProperties("tsfleet.coordinator")
@Validated
public record CoordinatorProperties(
        @NotNull @DefaultValue("") String possibleCpus,
        @NotBlank @DefaultValue("local") String staticNode,
        @NotNull @DefaultValue("file") StoreKind store,
        @NotBlank String stateFile,
        @NotNull @DefaultValue("2s") Duration heartbeatInterval,
        @NotNull @DefaultValue("10s") Duration lease,
        @NotNull @DefaultValue("1s") Duration tickInterval,
        @NotNull @DefaultValue("30s") Duration loadSmoothing,
        @Min(1) @DefaultValue("1000") int auditCapacity,
        @Min(0) @DefaultValue("0") int maxMembers,
        @NotNull @DefaultValue("1MB") DataSize maxRequestBody,
        @Valid @NotNull @DefaultValue Planner planner,
        @Valid @NotNull @DefaultValue Policy policy,
        @Valid @NotNull @DefaultValue Handover handover,
        @Valid @NotNull @DefaultValue Scaling scaling,
        @Valid @NotNull @DefaultValue Kubernetes kubernetes,
        @Valid @NotNull @DefaultValue Security security,
        @Valid @NotNull @DefaultValue Nodes nodes) {

    public enum StoreKind { FILE, CONFIGMAP, MEMORY }

    @jakarta.validation.constraints.AssertTrue(message = "tsfleet.coordinator.static-node must be a DNS subdomain: lower-case letters, "
            + "digits, '-' and '.', at most 253 characters")
    public boolean isStaticNodeValid() {
        return staticNode == null || io.tsfleet.coordinator.domain.Coordinator.isNodeName(staticNode);
    }

    /** The member limit in effect: {@code max-members}, or twice {@code scaling.max-replicas} when that is 0. */
    public int effectiveMaxMembers() {
        return maxMembers > 0 ? maxMembers : io.tsfleet.coordinator.domain.CoordinatorSettings.defaultMaxMembers(scaling.maxReplicas());
    }

    @jakarta.validation.constraints.AssertTrue(message = "tsfleet.coordinator.max-request-body must be between 64KB and 64MB "
            + "(a heartbeat of a replica owning 8192 CPUs needs a few hundred KB)")
    public boolean isMaxRequestBodySensible() {
        return maxRequestBody == null || (maxRequestBody.toBytes() >= 64 * 1024 && maxRequestBody.toBytes() <= 64L * 1024 * 1024);
    }

    /**
     * The node registry: node agents announce their node every {@code announce-interval} and are dropped when they have
     * not for a {@code lease}. Not persisted: after a restart every agent announces again within one interval.
     *
     * @param lease            how long a node stays registered after its last announcement
     * @param announceInterval how often agents are told to announce (shorter than the lease)
     * @param maxNodes         how many nodes may be registered at once; the announcement of one more is refused with 409
     */
    public record Nodes(@NotNull @DefaultValue("30s") Duration lease,
                        @NotNull @DefaultValue("10s") Duration announceInterval,
                        @Min(1) @Max(65536) @DefaultValue("1024") int maxNodes) {

        @AssertTrue(message = "tsfleet.coordinator.nodes.announce-interval must be positive and shorter than tsfleet.coordinator.nodes.lease")
        public boolean isAnnounceIntervalShorterThanLease() {
            return lease == null || announceInterval == null
                    || announceInterval.compareTo(java.time.Duration.ofMillis(1)) >= 0 && announceInterval.compareTo(lease) < 0;
        }
    }

    /**
     * @param headroom          share of a replica's measured capacity that may be planned
     * @param balanceTolerance  balancing stops within this factor of the physical lower bound
     * @param cpuBaseWeight     fixed cost per CPU in exits/s
     */
    public record Planner(@DecimalMin(value = "0.0", inclusive = false) @DecimalMax("1.0") @DefaultValue("0.7") double headroom,
                          @DecimalMin("1.0") @DecimalMax("10.0") @DefaultValue("1.05") double balanceTolerance,
                          @DecimalMin(value = "0.0", inclusive = false) @DefaultValue("1.0") double cpuBaseWeight) {
    }

    public record Policy(@DecimalMin(value = "1.0", inclusive = false) @DefaultValue("1.10") double imbalanceThreshold,
                         @NotNull @DefaultValue("60s") Duration imbalanceSustain,
                         @NotNull @DefaultValue("10s") Duration overflowSustain,
                         @NotNull @DefaultValue("120s") Duration cooldown,
                         @NotNull @DefaultValue("15s") Duration loadWarmup) {
    }

    public record Handover(@NotNull @DefaultValue("30s") Duration timeout,
                           @NotNull @DefaultValue("30s") Duration retryBackoff,
                           @Min(1) @DefaultValue("64") int maxInFlight) {
    }

    /**
     * @param apply      scale the listener Deployment through the Kubernetes scale subresource (off by default)
     * @param deployment the listener Deployment's name
     */
    public record Scaling(@Min(1) @DefaultValue("1") int minReplicas,
                          @Min(1) @DefaultValue("256") int maxReplicas,
                          @DecimalMin("0.0") @DecimalMax("0.99") @DefaultValue("0.1") double tolerance,
                          @NotNull @DefaultValue("300s") Duration scaleDownStabilization,
                          @DefaultValue("false") boolean apply,
                          @DefaultValue("tsfleet-listener") String deployment,
                          @NotNull @DefaultValue("60s") Duration applyInterval) {
    }

    /**
     * @param enabled         use the Kubernetes API (Lease leader election; required by the configmap store and
     *                        scaling)
     * @param namespace       namespace of the Lease, ConfigMap and Deployment (empty: the client's namespace)
     * @param configMap       name of the ConfigMap of the {@code configmap} store
     * @param leaseName       name of the coordination.k8s.io Lease
     * @param identity        this instance's identity in the election (empty: the HOSTNAME, i.e. the pod name)
     * @param leaderLabel     route the Service's traffic to the leader by a label on its own pod
     */
    public record Kubernetes(@DefaultValue("false") boolean enabled,
                             @DefaultValue("") String namespace,
                             @DefaultValue("tsfleet-coordinator-state") String configMap,
                             @DefaultValue("tsfleet-coordinator-leader") String leaseName,
                             @DefaultValue("") String identity,
                             @NotNull @DefaultValue("15s") Duration leaseDuration,
                             @NotNull @DefaultValue("10s") Duration renewDeadline,
                             @NotNull @DefaultValue("2s") Duration retryPeriod,
                             @Valid @NotNull @DefaultValue LeaderLabel leaderLabel) {
    }

    /**
     * The role label on the coordinator's own pod ({@code leader} on the leader, {@code standby} on the others), which
     * the coordinator Service selects: readiness stays about health, traffic reaches the leader only. Needs
     * {@code kubernetes.enabled=true} and RBAC {@code get}, {@code list} and {@code patch} on pods.
     *
     * @param enabled      label the pod (off by default; the chart turns it on)
     * @param key          the label's key
     * @param podName      this coordinator's pod (empty: the environment variable POD_NAME, else HOSTNAME)
     * @param peerSelector the labels of every coordinator pod of this release, {@code k1=v1,k2=v2} (required when
     *                     enabled): the leader sets stale {@code leader} labels of those pods back to {@code standby}
     */
    public record LeaderLabel(@DefaultValue("false") boolean enabled,
                              @NotBlank @DefaultValue(io.tsfleet.coordinator.kubernetes.LeaderPodLabel.DEFAULT_KEY) String key,
                              @DefaultValue("") String podName,
                              @DefaultValue("") String peerSelector) {

        @AssertTrue(message = "tsfleet.coordinator.kubernetes.leader-label.peer-selector must be k1=v1,k2=v2 naming the release's "
                + "coordinator pods when leader-label.enabled=true")
        public boolean isPeerSelectorValid() {
            if (!enabled) return true;
            try {
                return !io.tsfleet.coordinator.kubernetes.LeaderPodLabel.parseSelector(peerSelector == null ? "" : peerSelector).isEmpty();
            } catch (IllegalArgumentException e) {
                return false;
            }
        }
    }

    /**
     * Bearer tokens. Reads of the admin API need a read or admin token, writes an admin token; a replica's heartbeat
     * needs that replica's own credential (a line of the replica token file, or on Kubernetes its pod's projected
     * service-account token checked with a TokenReview), a shared replica token, or an admin token.
     *
     * @param adminTokens       admin tokens (comma separated): everything
     * @param readTokens        read tokens: the admin API's reads
     * @param replicaTokens     shared replica tokens: heartbeats of ANY replica id (weaker than per-replica
     *                          credentials: a holder can speak for every replica; kept for compatibility)
     * @param replicaTokensFile a file of {@code <replica-id>=<token>} lines: each token may heartbeat only as its
     *                          replica; re-read when it changes (empty: none)
     * @param tokenReview       check replicas' Kubernetes service-account tokens with TokenReviews
     * @param nodeTokens        node-agent tokens: announce and withdraw nodes ({@code /internal/v1/nodes/{name}}) and
     *                          nothing else (no heartbeat, no admin API); an entry {@code <node>=<token>} speaks for that
     *                          node only, an entry without {@code =} for every node (weaker)
     */
    public record Security(@DefaultValue("") List<String> adminTokens,
                           @DefaultValue("") List<String> readTokens,
                           @DefaultValue("") List<String> replicaTokens,
                           @DefaultValue("") List<String> nodeTokens,
                           @DefaultValue("") String replicaTokensFile,
                           @Valid @NotNull @DefaultValue TokenReview tokenReview) {
    }

    /**
     * @param enabled        accept a listener pod's projected service-account token as the credential of the replica
     *                       whose id is the pod's name (needs {@code tsfleet.coordinator.kubernetes.enabled=true})
     * @param audience       the audience the projected token is issued for
     * @param serviceAccount the listener pods' service account (required when enabled)
     * @param namespace      that service account's namespace (empty: the coordinator's namespace)
     * @param cacheTtl       how long a review's answer is kept
     * @param cacheSize      at most this many proofs, and as many refusals, are kept
     * @param reviewRate     at most this many reviews per second reach the API server (tokens not in the cache);
     *                       past it a heartbeat with an uncached token is answered 503 with Retry-After
     * @param reviewBurst    this many reviews may be sent at once (a whole fleet starting) before the rate applies
     * @param nodeServiceAccount the node agents' service account (empty: node agents use node tokens only); its
     *                       tokens may announce only the node their pod runs on
     */
    public record TokenReview(@DefaultValue("false") boolean enabled,
                              @NotBlank @DefaultValue("tsfleet-coordinator") String audience,
                              @DefaultValue("") String serviceAccount,
                              @DefaultValue("") String namespace,
                              @NotNull @DefaultValue("30s") Duration cacheTtl,
                              @Min(1) @DefaultValue("4096") int cacheSize,
                              @Positive @DefaultValue("20") double reviewRate,
                              @Min(1) @DefaultValue("200") int reviewBurst,
                              @DefaultValue("") String nodeServiceAccount) {
    }

    @AssertTrue(message = "tsfleet.coordinator.kubernetes.leader-label.enabled=true needs tsfleet.coordinator.kubernetes.enabled=true")
    public boolean isLeaderLabelConfigured() {
        return kubernetes == null || !kubernetes.leaderLabel().enabled() || kubernetes.enabled();
    }

    @AssertTrue(message = "tsfleet.coordinator.security.token-review.enabled=true needs tsfleet.coordinator.kubernetes.enabled=true "
            + "and tsfleet.coordinator.security.token-review.service-account")
    public boolean isTokenReviewConfigured() {
        return security == null || !security.tokenReview().enabled()
                || kubernetes != null && kubernetes.enabled() && !security.tokenReview().serviceAccount().isBlank();
    }
}
