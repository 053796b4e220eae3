package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.Dashboards;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.Manifests;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static io.tsfleet.helm.support.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** What each value set must produce: the fleet's wiring, scaling, privileges and monitoring. */
class ChartBehaviourTest {
    private static final String PREFIX = HelmChart.RELEASE + "-taskstats-fleet-";

    @Nested
    class Defaults {
        private final Manifests m = ValueSets.render("defaults");

        @Test
        void aDemoFleetWithoutMonitoringObjects() {
            Set<String> kinds = m.stream().map(o -> o.path("kind").asText()).collect(Collectors.toSet());
            assertThat(kinds).containsExactlyInAnyOrder("ConfigMap", "Secret", "Service", "ServiceAccount", "Deployment",
                    "PodDisruptionBudget", "Role", "RoleBinding", "ClusterRole", "ClusterRoleBinding", "NetworkPolicy");
            assertThat(m.ofKind("Deployment")).extracting(Manifests::name)
                    .containsExactlyInAnyOrder(PREFIX + "coordinator", PREFIX + "listener", PREFIX + "emulator-emulated-0");
        }

        @Test
        void twoCoordinatorsWithADisruptionBudgetThatKeepsOneRunning() {
            JsonNode coordinator = m.component("Deployment", "coordinator");
            assertThat(coordinator.at("/spec/replicas").asInt()).isEqualTo(2);
            assertThat(coordinator.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
            JsonNode pdb = m.component("PodDisruptionBudget", "coordinator");
            assertThat(pdb.at("/spec/maxUnavailable").asInt()).isEqualTo(1);
            // both coordinators are Ready when healthy (the leader is routed to by its pod label); an unhealthy one stays evictable
            assertThat(pdb.at("/spec/unhealthyPodEvictionPolicy").asText()).isEqualTo("AlwaysAllow");
            assertThat(podSpec(coordinator).path("automountServiceAccountToken").asBoolean()).isTrue();
            JsonNode config = m.applicationConfig("coordinator").at("/tsfleet/coordinator");
            assertThat(config.path("store").asText()).isEqualTo("configmap");
            assertThat(config.at("/kubernetes/enabled").asBoolean()).isTrue();
            assertThat(config.at("/kubernetes/identity").asText()).isEqualTo("${POD_NAME}");
            assertThat(config.at("/scaling/apply").asBoolean()).isFalse();
        }

        @Test
        void theServiceReachesTheLeaderByThePodLabelTheLeaderPutsOnItself() {
            JsonNode coordinator = m.component("Deployment", "coordinator");
            JsonNode podLabels = coordinator.at("/spec/template/metadata/labels");
            JsonNode selector = m.component("Service", "coordinator").at("/spec/selector");
            assertThat(selector.path("tsfleet.io/coordinator-role").asText()).isEqualTo("leader");
            // the pod template never carries the role: only the leader's own patch does
            assertThat(podLabels.has("tsfleet.io/coordinator-role")).isFalse();
            selector.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("tsfleet.io/coordinator-role")) assertThat(podLabels.path(e.getKey()).asText()).isEqualTo(e.getValue().asText());
            });
            JsonNode label = m.applicationConfig("coordinator").at("/tsfleet/coordinator/kubernetes/leader-label");
            assertThat(label.path("enabled").asBoolean()).isTrue();
            assertThat(label.path("key").asText()).isEqualTo("tsfleet.io/coordinator-role");
            assertThat(label.path("pod-name").asText()).isEqualTo("${POD_NAME}");
            // the peers whose stale leader labels the leader clears: exactly the Deployment's own pods (this release)
            Map<String, String> peers = new java.util.TreeMap<>();
            for (String term : label.path("peer-selector").asText().split(",")) peers.put(term.split("=")[0], term.split("=")[1]);
            Map<String, String> deploymentSelector = new java.util.TreeMap<>();
            coordinator.at("/spec/selector/matchLabels").fields().forEachRemaining(e -> deploymentSelector.put(e.getKey(), e.getValue().asText()));
            assertThat(peers).isEqualTo(deploymentSelector).containsKey("app.kubernetes.io/instance");
            assertThat(podSpec(coordinator).at("/containers/0/env").toString()).contains("\"name\":\"POD_NAME\"").contains("metadata.name");
        }

        @Test
        void theCoordinatorMayTouchItsOwnLeaseAndStateConfigMapOnlyAndLabelPods() {
            JsonNode kubernetes = m.applicationConfig("coordinator").at("/tsfleet/coordinator/kubernetes");
            JsonNode rules = m.component("Role", "coordinator").path("rules");

            JsonNode pods = rules.findParents("resources").stream().filter(r -> r.path("resources").toString().equals("[\"pods\"]"))
                    .findFirst().orElseThrow();
            // pod names are generated: RBAC cannot narrow this by name; read and patch only (the role label)
            assertThat(pods.path("apiGroups").toString()).isEqualTo("[\"\"]");
            assertThat(pods.path("verbs").toString()).isEqualTo("[\"get\",\"list\",\"patch\"]");
            assertThat(rules.toString()).as("no pods/exec, pods/log, pods/eviction").doesNotContain("pods/");
            assertThat(rules).allSatisfy(rule -> {
                if (rule == pods) return;
                String verbs = rule.path("verbs").toString();
                if (!verbs.equals("[\"create\"]")) {
                    assertThat(rule.path("resourceNames").size()).as("rule %s is narrowed by name", rule).isPositive();
                }
                assertThat(verbs).doesNotContain("delete", "\"list\"", "*");
            });
            assertThat(rules.toString())
                    .contains("\"" + kubernetes.path("lease-name").asText() + "\"")
                    .contains("\"" + kubernetes.path("config-map").asText() + "\"")
                    .doesNotContain("deployments/scale");
            JsonNode binding = m.component("RoleBinding", "coordinator");
            assertThat(binding.at("/subjects/0/name").asText())
                    .isEqualTo(podSpec(m.component("Deployment", "coordinator")).path("serviceAccountName").asText());
        }

        @Test
        void theReplicasLearnTheBrokersFromTheCoordinatorWithTokensFromTheSecret() {
            JsonNode listener = m.applicationConfig("listener").at("/tsfleet/listener");
            // cluster mode: no fixed broker; the coordinator names each node's broker in the directive
            assertThat(listener.has("broker")).as("no fixed broker").isFalse();
            assertThat(listener.path("coordinator-url").asText()).isEqualTo("http://" + PREFIX + "coordinator:8080");
            assertThat(listener.path("broker-token").asText()).isEqualTo("${TOKEN_BROKER}");
            assertThat(listener.path("coordinator-token-file").asText()).isEqualTo("/var/run/secrets/tsfleet/coordinator-token");
            assertThat(listener.has("coordinator-token")).isFalse();
            assertThat(listener.path("id").asText()).isEqualTo("${POD_NAME}");
            assertThat(listener.path("node").asText()).isEqualTo("${NODE_NAME}");
            assertThat(listener.has("zone")).as("no zone unless asked for").isFalse();
            JsonNode listenerEnv = podSpec(m.component("Deployment", "listener")).at("/containers/0/env");
            assertThat(fieldRefs(listenerEnv)).containsEntry("NODE_NAME", "spec.nodeName").containsEntry("POD_NAME", "metadata.name")
                    .doesNotContainKeys("HOST_IP", "ZONE");
            assertThat(m.applicationConfig("emulator-emulated-0").at("/tsfleet/emulator/broker/token").asText()).isEqualTo("${TOKEN_BROKER}");
            assertThat(m.applicationConfig("emulator-emulated-0").at("/tsfleet/emulator/kernel/possible-cpus").asText()).isEqualTo("0-63");
            // the coordinator in cluster mode: no possible CPUs of its own; the emulated node announces with a token bound to its name
            JsonNode coordinator = m.applicationConfig("coordinator").at("/tsfleet/coordinator");
            assertThat(coordinator.has("possible-cpus")).isFalse();
            assertThat(coordinator.has("static-node")).isFalse();
            assertThat(coordinator.at("/security/node-tokens").asText()).isEqualTo("emulated-0=${TOKEN_NODE_0}");

            String secret = Manifests.name(m.ofKind("Secret").getFirst());
            assertThat(secretRefs(listenerEnv)).containsExactlyInAnyOrderEntriesOf(Map.of("TOKEN_BROKER", secret + "/broker-token"));
            assertThat(secretRefs(podSpec(m.component("Deployment", "coordinator")).at("/containers/0/env")))
                    .containsEntry("TOKEN_NODE_0", secret + "/node-token-emulated-0").doesNotContainKey("TOKEN_NODE");
        }

        @Test
        void theEmulatedNodeAnnouncesItselfWithThePodsAddressAsItsBroker() {
            JsonNode node = m.applicationConfig("emulator-emulated-0").at("/tsfleet/emulator/node");
            assertThat(node.path("name").asText()).isEqualTo("emulated-0");
            assertThat(node.path("coordinator-url").asText())
                    .isEqualTo(m.applicationConfig("listener").at("/tsfleet/listener/coordinator-url").asText());
            assertThat(node.path("coordinator-token").asText()).isEqualTo("${TOKEN_NODE}");
            assertThat(node.path("advertised-broker").asText()).isEqualTo("${POD_IP}:7411");
            JsonNode env = podSpec(m.component("Deployment", "emulator-emulated-0")).at("/containers/0/env");
            assertThat(fieldRefs(env)).containsEntry("POD_IP", "status.podIP");
            String secret = Manifests.name(m.ofKind("Secret").getFirst());
            assertThat(secretRefs(env)).as("the emulated node's own token, not the shared node token")
                    .containsExactlyInAnyOrderEntriesOf(Map.of("TOKEN_BROKER", secret + "/broker-token", "TOKEN_NODE", secret + "/node-token-emulated-0"));
            assertThat(m.component("Deployment", "emulator-emulated-0").at("/spec/template/metadata/labels/tsfleet.io~1emulated-node").asText())
                    .isEqualTo("emulated-0");
        }

        @Test
        void theNodeAgentsReachTheCoordinator() {
            JsonNode from = m.component("NetworkPolicy", "coordinator").at("/spec/ingress/0/from");
            assertThat(from.findValuesAsText("app.kubernetes.io/name")).containsExactlyInAnyOrder("listener-service", "coordinator", "emulator");
        }

        @Test
        void eachReplicaProvesItsPodWithAProjectedServiceAccountTokenThatTheCoordinatorReviews() {
            JsonNode listenerPod = podSpec(m.component("Deployment", "listener"));
            JsonNode volume = listenerPod.path("volumes").findParents("projected").getFirst();
            JsonNode source = volume.at("/projected/sources/0/serviceAccountToken");
            assertThat(source.path("audience").asText()).isEqualTo("tsfleet-coordinator");
            assertThat(source.path("expirationSeconds").asInt()).isEqualTo(3600);
            assertThat(source.path("path").asText()).isEqualTo("coordinator-token");
            JsonNode mount = listenerPod.at("/containers/0/volumeMounts").findParents("mountPath").stream()
                    .filter(v -> v.path("name").asText().equals(volume.path("name").asText())).findFirst().orElseThrow();
            assertThat(mount.path("mountPath").asText()).isEqualTo("/var/run/secrets/tsfleet");
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
            assertThat(listenerPod.path("automountServiceAccountToken").asBoolean()).as("no API token in the listener").isFalse();

            JsonNode review = m.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(review.at("/token-review/enabled").asBoolean()).isTrue();
            assertThat(review.at("/token-review/audience").asText()).isEqualTo("tsfleet-coordinator");
            assertThat(review.at("/token-review/service-account").asText()).isEqualTo(listenerPod.path("serviceAccountName").asText());
            assertThat(review.at("/token-review/namespace").asText()).isEqualTo(HelmChart.NAMESPACE);
            assertThat(review.has("replica-tokens")).as("no shared replica token").isFalse();
            assertThat(secretRefs(podSpec(m.component("Deployment", "coordinator")).at("/containers/0/env")).keySet())
                    .containsExactlyInAnyOrder("TOKEN_ADMIN", "TOKEN_READ", "TOKEN_NODE_0");

            JsonNode clusterRole = m.ofKind("ClusterRole").getFirst();
            assertThat(clusterRole.path("rules").toString())
                    .isEqualTo("[{\"apiGroups\":[\"authentication.k8s.io\"],\"resources\":[\"tokenreviews\"],\"verbs\":[\"create\"]}]");
            JsonNode binding = m.ofKind("ClusterRoleBinding").getFirst();
            assertThat(binding.at("/roleRef/name").asText()).isEqualTo(Manifests.name(clusterRole));
            assertThat(binding.at("/subjects/0/name").asText())
                    .isEqualTo(podSpec(m.component("Deployment", "coordinator")).path("serviceAccountName").asText());
            assertThat(binding.at("/subjects/0/namespace").asText()).isEqualTo(HelmChart.NAMESPACE);
        }

        @Test
        void theSecretHoldsSixDistinctGeneratedTokens() {
            JsonNode data = m.ofKind("Secret").getFirst().path("data");
            List<String> tokens = List.of("admin-token", "read-token", "broker-token", "replica-token", "node-token", "node-token-emulated-0").stream()
                    .map(k -> new String(Base64.getDecoder().decode(data.path(k).asText()))).toList();
            assertThat(tokens).allSatisfy(t -> assertThat(t).hasSize(40).matches("[A-Za-z0-9]+"));
            assertThat(Set.copyOf(tokens)).hasSize(6);
        }

        @Test
        void aReplicaGetsTimeToHandItsCpusOverBeforeItIsKilled() {
            JsonNode listener = m.component("Deployment", "listener");
            int grace = podSpec(listener).path("terminationGracePeriodSeconds").asInt();
            String drain = m.applicationConfig("listener").at("/tsfleet/listener/drain-timeout").asText();
            assertThat(grace).isGreaterThan(Integer.parseInt(drain.replace("s", "")) + 30);
            assertThat(listener.at("/spec/replicas").asInt()).isEqualTo(3);
            assertThat(listener.at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
            assertThat(m.ofKind("HorizontalPodAutoscaler")).isEmpty();
        }

        @Test
        void theEmulatorServesItsActuatorOnAManagementPortThatTheProbesUse() {
            assertThat(m.applicationConfig("emulator-emulated-0").at("/management/server/port").asInt()).isEqualTo(9081);
            assertThat(m.applicationConfig("emulator-emulated-0").at("/server/port").asInt()).isEqualTo(8081);
            JsonNode container = podSpec(m.component("Deployment", "emulator-emulated-0")).at("/containers/0");
            assertThat(container.path("ports").toString()).contains("{\"name\":\"management\",\"containerPort\":9081,\"protocol\":\"TCP\"}");
            for (String probe : new String[] {"startupProbe", "livenessProbe", "readinessProbe"}) {
                assertThat(container.at("/" + probe + "/httpGet/port").asText()).as(probe).isEqualTo("management");
            }
        }

        @Test
        void nobodyInTheClusterReachesTheEmulatorsControlApiUnlessAllowed() {
            JsonNode ingress = m.component("NetworkPolicy", "emulator").at("/spec/ingress");
            assertThat(ingress).hasSize(1);
            assertThat(ingress.get(0).at("/ports/0/port").asText()).isEqualTo("broker");

            JsonNode allowed = HelmChart.project().render()
                    .set("networkPolicy.emulatorControlApiFrom[0].podSelector.matchLabels.role", "load-driver").manifests()
                    .component("NetworkPolicy", "emulator").at("/spec/ingress");
            assertThat(allowed).hasSize(2);
            assertThat(allowed.get(1).at("/ports/0/port").asText()).isEqualTo("http");
            assertThat(allowed.get(1).at("/from/0/podSelector/matchLabels/role").asText()).isEqualTo("load-driver");
        }

        @Test
        void networkPoliciesLetOnlyTheReplicasReachTheBroker() {
            JsonNode emulator = m.component("NetworkPolicy", "emulator");
            JsonNode brokerRule = emulator.at("/spec/ingress/0");
            assertThat(brokerRule.at("/ports/0/port").asText()).isEqualTo("broker");
            assertThat(brokerRule.path("from")).hasSize(1);
            assertThat(brokerRule.at("/from/0/podSelector/matchLabels/app.kubernetes.io~1name").asText()).isEqualTo("listener-service");
            assertThat(m.ofKind("NetworkPolicy")).hasSize(3)
                    .allSatisfy(p -> assertThat(p.at("/spec/policyTypes").toString()).isEqualTo("[\"Ingress\"]"));
        }

        @Test
        void configChangesRollThePods() {
            String before = m.component("Deployment", "listener").at("/spec/template/metadata/annotations/checksum~1config").asText();
            String after = HelmChart.project().render().set("listener.drainTimeout", "45s").manifests()
                    .component("Deployment", "listener").at("/spec/template/metadata/annotations/checksum~1config").asText();
            assertThat(before).isNotBlank().isNotEqualTo(after);
        }
    }

    @Nested
    class MonitoringAndHpa {
        private final Manifests m = ValueSets.render("monitoring-hpa");

        @Test
        void theHpaFollowsTheCoordinatorsAdviceOneForOne() {
            JsonNode hpa = m.component("HorizontalPodAutoscaler", "listener");
            assertThat(hpa.at("/spec/scaleTargetRef/name").asText()).isEqualTo(PREFIX + "listener");
            assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(3);
            assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(24);
            JsonNode metric = hpa.at("/spec/metrics/0");
            assertThat(metric.path("type").asText()).isEqualTo("External");
            assertThat(metric.at("/external/metric/name").asText()).isEqualTo("tsfleet_coordinator_desired_replicas");
            assertThat(metric.at("/external/target/type").asText()).isEqualTo("AverageValue");
            assertThat(metric.at("/external/target/averageValue").asText()).isEqualTo("1");
            assertThat(hpa.at("/spec/behavior/scaleDown/stabilizationWindowSeconds").asInt()).isEqualTo(300);
            // no lookup offline: the Deployment starts at the minimum, and an upgrade keeps the HPA's count
            assertThat(m.component("Deployment", "listener").at("/spec/replicas").asInt()).isEqualTo(3);
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/scaling/max-replicas").asInt()).isEqualTo(24);
        }

        @Test
        void serviceMonitorsScrapeEveryComponentsActuator() {
            // every coordinator, standbys included, through a PodMonitor: the coordinator Service selects the leader only
            JsonNode coordinators = m.component("PodMonitor", "coordinator");
            assertThat(coordinators.at("/spec/podMetricsEndpoints/0/path").asText()).isEqualTo("/actuator/prometheus");
            assertThat(coordinators.at("/spec/podMetricsEndpoints/0/port").asText()).isEqualTo("http");
            assertThat(coordinators.at("/spec/selector/matchLabels").toString()).doesNotContain("coordinator-role");
            assertThat(coordinators.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
            assertThat(m.ofKind("ServiceMonitor")).extracting(Manifests::name).noneMatch(n -> n.endsWith("-coordinator"));
            assertThat(m.ofKind("ServiceMonitor")).hasSize(2).allSatisfy(sm -> {
                assertThat(sm.at("/metadata/labels/release").asText()).isEqualTo("kube-prometheus-stack");
                assertThat(sm.at("/spec/endpoints/0/path").asText()).isEqualTo("/actuator/prometheus");
                String port = sm.at("/spec/endpoints/0/port").asText();
                assertThat(port).isEqualTo(Manifests.name(sm).endsWith("-emulator") ? "management" : "http");
            });
            // the emulator's ServiceMonitor names a port its Service has, which leads to the management server
            JsonNode service = m.component("Service", "emulator-big-node");
            assertThat(service.at("/spec/ports").findValuesAsText("name")).contains("management");
            assertThat(service.at("/spec/ports").toString()).contains("\"targetPort\":\"management\"");
        }

        @Test
        void prometheusReachesTheEmulatorsMetricsButNotItsControlApi() {
            JsonNode ingress = m.component("NetworkPolicy", "emulator").at("/spec/ingress");
            assertThat(ingress).hasSize(2);
            assertThat(ingress.get(0).at("/ports/0/port").asText()).isEqualTo("broker");
            assertThat(ingress.get(1).at("/ports").toString()).isEqualTo("[{\"port\":\"management\",\"protocol\":\"TCP\"}]");
            assertThat(ingress.get(1).path("from").toString()).contains("\"kubernetes.io/metadata.name\":\"monitoring\"");
            assertThat(ingress.toString()).doesNotContain("\"port\":\"http\"");
        }

        @Test
        void thePrometheusRuleCarriesTheChartsRulesWithRunbooks() {
            JsonNode rule = m.ofKind("PrometheusRule").getFirst();
            List<JsonNode> alerts = rule.at("/spec/groups").findParents("alert");
            assertThat(alerts).hasSizeGreaterThanOrEqualTo(12).allSatisfy(a -> assertThat(a.at("/annotations/runbook_url").asText())
                    .isEqualTo("https://runbooks.example.org/taskstats-fleet#" + a.path("alert").asText().toLowerCase()));
            // scoped to this release: its namespace, and its fleet label (the chart's monitors set it)
            String scope = "namespace=\\\"" + HelmChart.NAMESPACE + "\\\", fleet=\\\"" + HelmChart.RELEASE + "\\\"";
            assertThat(rule.toString()).contains("absent(tsfleet_coordinator_leader{" + scope + "})");
            assertThat(rule.toString()).contains("fleet:tsfleet_coordinator_desired_replicas:leader{" + scope + "} > 24");
        }

        @Test
        void dashboardsAreConfigMapsForTheGrafanaSidecarHoldingTheFilesUnchanged() {
            List<JsonNode> maps = m.ofKind("ConfigMap").stream().filter(c -> Manifests.name(c).contains("-dashboard-")).toList();
            assertThat(maps).hasSameSizeAs(Dashboards.files()).allSatisfy(c -> {
                assertThat(c.at("/metadata/namespace").asText()).isEqualTo("monitoring");
                assertThat(c.at("/metadata/labels/grafana_dashboard").asText()).isEqualTo("1");
                assertThat(c.at("/metadata/annotations/grafana_folder").asText()).isEqualTo("taskstats-fleet");
            });
            for (Path file : Dashboards.files()) {
                JsonNode map = maps.stream().filter(c -> c.path("data").has(file.getFileName().toString())).findFirst().orElseThrow();
                assertThat(Dashboards.read(file)).isEqualTo(Manifests.readYaml(map.path("data").path(file.getFileName().toString()).asText()));
            }
        }

        @Test
        void aFileSinkGetsAVolumeAndPrometheusGetsThrough() {
            JsonNode pod = podSpec(m.component("Deployment", "listener"));
            assertThat(pod.at("/containers/0/volumeMounts").findValuesAsText("mountPath")).contains("/data");
            assertThat(pod.path("volumes").toString()).contains("\"sizeLimit\":\"4Gi\"");
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/sink").asText()).isEqualTo("jsonl:/data/records.jsonl");
            assertThat(m.component("NetworkPolicy", "listener").at("/spec/ingress/0/from").toString())
                    .contains("\"kubernetes.io/metadata.name\":\"monitoring\"");
        }
    }

    /** What the kernel backend may do, in every mode: NET_ADMIN, the host network and PIDs, and nothing else. */
    static void hasTheKernelBackendsPrivilegesAndNoMore(Manifests m) {
        JsonNode pod = podSpec(m.component("DaemonSet", "kernel-backend"));
        assertThat(pod.path("hostNetwork").asBoolean()).isTrue();
        assertThat(pod.path("hostPID").asBoolean()).isTrue();
        assertThat(pod.path("hostIPC").asBoolean(false)).isFalse();
        assertThat(pod.path("dnsPolicy").asText()).as("the coordinator's Service name resolves from the host network").isEqualTo("ClusterFirstWithHostNet");
        assertThat(pod.path("automountServiceAccountToken").asBoolean()).isFalse();
        assertThat(pod.at("/securityContext/runAsUser").asInt()).isZero();
        JsonNode security = pod.at("/containers/0/securityContext");
        assertThat(security.at("/capabilities/add").toString()).isEqualTo("[\"NET_ADMIN\"]");
        assertThat(security.at("/capabilities/drop").toString()).isEqualTo("[\"ALL\"]");
        assertThat(security.path("privileged").asBoolean()).isFalse();
        assertThat(security.path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(security.path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(pod.path("volumes").findValues("hostPath")).isEmpty();
        JsonNode config = m.applicationConfig("kernel-backend").at("/tsfleet/emulator");
        assertThat(config.path("backend").asText()).isEqualTo("kernel");
        assertThat(config.at("/broker/token").asText()).isEqualTo("${TOKEN_BROKER}");
        assertThat(config.at("/broker/bind-address").asText()).isEqualTo("${HOST_IP}");
        // the node's name as Kubernetes knows it, from the downward API
        assertThat(config.at("/node/name").asText()).isEqualTo("${NODE_NAME}");
        assertThat(fieldRefs(pod.at("/containers/0/env"))).containsEntry("NODE_NAME", "spec.nodeName").containsEntry("HOST_IP", "status.hostIP");
        // delay accounting is left as the node has it unless asked for: no privileged container by default
        assertThat(pod.path("initContainers").isMissingNode() || pod.path("initContainers").isEmpty()).isTrue();
    }

    @Nested
    class KernelNode {
        private final Manifests m = ValueSets.render("kernel-node");

        @Test
        void theKernelBackendGetsNetAdminTheHostNetworkAndPidsAndNothingElse() {
            hasTheKernelBackendsPrivilegesAndNoMore(m);
            JsonNode pod = podSpec(m.component("DaemonSet", "kernel-backend"));
            assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("worker-7");
            // a static fleet: no node agent, no node token
            assertThat(m.applicationConfig("kernel-backend").at("/tsfleet/emulator/node").has("coordinator-url")).isFalse();
            assertThat(secretRefs(pod.at("/containers/0/env")).keySet()).containsExactly("TOKEN_BROKER");
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/security").has("node-tokens")).isFalse();
        }

        @Test
        void delayAccountingIsTurnedOnByAPrivilegedInitContainerOnlyWhenAskedFor() {
            Manifests on = HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-node"))
                    .set("kernelBackend.enableDelayAccounting", true).manifests();
            JsonNode pod = podSpec(on.component("DaemonSet", "kernel-backend"));
            JsonNode init = pod.at("/initContainers");
            assertThat(init).hasSize(1);
            assertThat(init.get(0).path("name").asText()).isEqualTo("enable-delay-accounting");
            assertThat(init.get(0).path("image").asText()).isEqualTo(pod.at("/containers/0/image").asText());
            assertThat(init.get(0).path("args").toString()).isEqualTo("[\"enable-delay-accounting\"]");
            assertThat(init.get(0).at("/securityContext/privileged").asBoolean()).isTrue();
            assertThat(init.get(0).at("/securityContext/readOnlyRootFilesystem").asBoolean()).isTrue();
            // the backend itself keeps exactly its privileges
            assertThat(pod.at("/containers/0/securityContext/privileged").asBoolean()).isFalse();
            assertThat(pod.at("/containers/0/securityContext/capabilities/add").toString()).isEqualTo("[\"NET_ADMIN\"]");
        }

        @Test
        void theReplicasRunOnThatNodeAndConnectToItsAddress() {
            JsonNode pod = podSpec(m.component("Deployment", "listener"));
            assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("worker-7");
            assertThat(pod.at("/containers/0/env").toString()).contains("\"name\":\"HOST_IP\"").contains("status.hostIP");
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/broker").asText()).isEqualTo("${HOST_IP}:7411");
            assertThat(m.ids()).noneMatch(id -> id.contains("emulator"));
            // static mode: the one node's CPUs, named as the backend names its node
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/possible-cpus").asText()).isEqualTo("0-255");
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/static-node").asText()).isEqualTo("worker-7");
        }

        @Test
        void theCoordinatorScalesTheListenersThroughTheScaleSubresourceOnly() {
            JsonNode rules = m.component("Role", "coordinator").path("rules");
            JsonNode scale = rules.findParents("resources").stream()
                    .filter(r -> r.path("resources").toString().contains("deployments/scale")).findFirst().orElseThrow();
            assertThat(scale.path("resourceNames").toString()).isEqualTo("[\"" + PREFIX + "listener\"]");
            assertThat(rules.toString()).doesNotContain("\"deployments\"");
            assertThat(m.ofKind("HorizontalPodAutoscaler")).isEmpty();
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/scaling/apply").asBoolean()).isTrue();
            assertThat(m.component("PodMonitor", "kernel-backend").at("/spec/podMetricsEndpoints/0/path").asText())
                    .isEqualTo("/actuator/prometheus");
        }
    }

    @Nested
    class KernelCluster {
        private final Manifests m = ValueSets.render("kernel-cluster");

        @Test
        void theKernelBackendRunsOnEverySelectedNodeWithItsPrivilegesAndNoMore() {
            hasTheKernelBackendsPrivilegesAndNoMore(m);
            JsonNode pod = podSpec(m.component("DaemonSet", "kernel-backend"));
            // the nodes of the selector, the tolerations and the affinity: not one node by name
            assertThat(pod.path("nodeSelector").toString()).isEqualTo("{\"tsfleet.io/watch\":\"true\"}");
            assertThat(pod.at("/tolerations/0/key").asText()).isEqualTo("dedicated");
            assertThat(pod.at("/tolerations/0/effect").asText()).isEqualTo("NoSchedule");
            assertThat(pod.at("/affinity/nodeAffinity/requiredDuringSchedulingIgnoredDuringExecution/nodeSelectorTerms/0/matchExpressions/0/key").asText())
                    .isEqualTo("kubernetes.io/os");
        }

        @Test
        void eachPodsNodeAgentAnnouncesItsNodeWithItsPodsServiceAccountTokenAndTheNodesAddress() {
            JsonNode pod = podSpec(m.component("DaemonSet", "kernel-backend"));
            JsonNode node = m.applicationConfig("kernel-backend").at("/tsfleet/emulator/node");
            assertThat(node.path("name").asText()).isEqualTo("${NODE_NAME}");
            assertThat(node.path("coordinator-url").asText())
                    .isEqualTo(m.applicationConfig("listener").at("/tsfleet/listener/coordinator-url").asText())
                    .isEqualTo("http://" + PREFIX + "coordinator:8080");
            // the pod's projected service-account token, read again before every announcement; no shared node token
            assertThat(node.path("coordinator-token-file").asText()).isEqualTo("/var/run/secrets/tsfleet/coordinator-token");
            assertThat(node.has("coordinator-token")).isFalse();
            // the broker listens on the node's address (host network): that is what replicas on other nodes dial
            assertThat(node.path("advertised-broker").asText()).isEqualTo("${HOST_IP}:7411");
            assertThat(node.path("zone").asText()).isEqualTo("${ZONE}");
            JsonNode env = pod.at("/containers/0/env");
            assertThat(fieldRefs(env)).containsEntry("ZONE", "metadata.labels['topology.kubernetes.io/zone']");
            String secret = Manifests.name(m.ofKind("Secret").getFirst());
            assertThat(secretRefs(env)).containsExactlyInAnyOrderEntriesOf(Map.of("TOKEN_BROKER", secret + "/broker-token"));
        }

        @Test
        void theNodeAgentsTokenIsAProjectedTokenOfItsOwnServiceAccountThatTheCoordinatorBindsToItsNode() {
            JsonNode pod = podSpec(m.component("DaemonSet", "kernel-backend"));
            JsonNode volume = pod.path("volumes").findParents("projected").getFirst();
            assertThat(volume.at("/projected/sources").size()).as("the token only: no CA bundle, no namespace, no API token").isEqualTo(1);
            JsonNode source = volume.at("/projected/sources/0/serviceAccountToken");
            assertThat(source.path("audience").asText()).isEqualTo("tsfleet-coordinator");
            assertThat(source.path("expirationSeconds").asInt()).isEqualTo(3600);
            assertThat(source.path("path").asText()).isEqualTo("coordinator-token");
            JsonNode mount = pod.at("/containers/0/volumeMounts").findParents("mountPath").stream()
                    .filter(v -> v.path("name").asText().equals(volume.path("name").asText())).findFirst().orElseThrow();
            assertThat(mount.path("mountPath").asText() + "/" + source.path("path").asText())
                    .isEqualTo(m.applicationConfig("kernel-backend").at("/tsfleet/emulator/node/coordinator-token-file").asText());
            assertThat(mount.path("readOnly").asBoolean()).isTrue();
            assertThat(pod.path("automountServiceAccountToken").asBoolean()).as("no API token in the backend").isFalse();
            String account = pod.path("serviceAccountName").asText();
            assertThat(account).isEqualTo(PREFIX + "kernel-backend");
            assertThat(Manifests.name(m.component("ServiceAccount", "kernel-backend"))).isEqualTo(account);

            // the coordinator reviews it: a token of that account speaks for the node its pod runs on, and only for it
            JsonNode security = m.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(security.at("/token-review/enabled").asBoolean()).isTrue();
            assertThat(security.at("/token-review/audience").asText()).isEqualTo(source.path("audience").asText());
            assertThat(security.at("/token-review/node-service-account").asText()).isEqualTo(account);
            assertThat(security.at("/token-review/namespace").asText()).isEqualTo(HelmChart.NAMESPACE);
            assertThat(security.has("node-tokens")).as("no node token the coordinator would accept").isFalse();
            assertThat(secretRefs(podSpec(m.component("Deployment", "coordinator")).at("/containers/0/env")).keySet())
                    .doesNotContain("TOKEN_NODE");
            assertThat(m.ofKind("ClusterRole").getFirst().path("rules").toString())
                    .isEqualTo("[{\"apiGroups\":[\"authentication.k8s.io\"],\"resources\":[\"tokenreviews\"],\"verbs\":[\"create\"]}]");
        }

        @Test
        void withSharedReplicaTokensTheCoordinatorStillReviewsTheNodeAgentsTokens() {
            Manifests shared = HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-cluster"))
                    .set("auth.replicaCredential", "sharedToken").manifests();
            JsonNode security = shared.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(security.path("replica-tokens").asText()).isEqualTo("${TOKEN_REPLICA}");
            assertThat(security.at("/token-review/enabled").asBoolean()).isTrue();
            assertThat(security.at("/token-review/node-service-account").asText()).isEqualTo(PREFIX + "kernel-backend");
            assertThat(shared.ofKind("ClusterRole")).as("create on tokenreviews for the node agents' tokens").hasSize(1);
            assertThat(shared.ofKind("ClusterRoleBinding")).hasSize(1);
        }

        @Test
        void theSharedNodeTokenIsAnOptInThatSpeaksForEveryNode() {
            Manifests shared = HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-cluster"))
                    .set("auth.nodeCredential", "sharedToken").manifests();
            String secret = Manifests.name(shared.ofKind("Secret").getFirst());
            JsonNode pod = podSpec(shared.component("DaemonSet", "kernel-backend"));
            JsonNode node = shared.applicationConfig("kernel-backend").at("/tsfleet/emulator/node");
            assertThat(node.path("coordinator-token").asText()).isEqualTo("${TOKEN_NODE}");
            assertThat(node.has("coordinator-token-file")).isFalse();
            assertThat(pod.path("volumes").findParents("projected")).isEmpty();
            assertThat(secretRefs(pod.at("/containers/0/env"))).containsEntry("TOKEN_NODE", secret + "/node-token");
            JsonNode security = shared.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(security.path("node-tokens").asText()).isEqualTo("${TOKEN_NODE}");
            assertThat(security.at("/token-review").has("node-service-account")).isFalse();
            assertThat(secretRefs(podSpec(shared.component("Deployment", "coordinator")).at("/containers/0/env")))
                    .containsEntry("TOKEN_NODE", secret + "/node-token");
        }

        @Test
        void theCoordinatorTakesItsSlotsFromTheNodesAndTheReplicasHaveNoFixedBroker() {
            JsonNode coordinator = m.applicationConfig("coordinator").at("/tsfleet/coordinator");
            assertThat(coordinator.has("possible-cpus")).isFalse();
            assertThat(coordinator.at("/security").has("node-tokens")).as("the node agents use their service-account tokens").isFalse();
            JsonNode listener = m.applicationConfig("listener").at("/tsfleet/listener");
            assertThat(listener.has("broker")).isFalse();
            assertThat(listener.path("node").asText()).isEqualTo("${NODE_NAME}");
            assertThat(listener.path("zone").asText()).isEqualTo("${ZONE}");
            JsonNode pod = podSpec(m.component("Deployment", "listener"));
            assertThat(fieldRefs(pod.at("/containers/0/env"))).containsEntry("NODE_NAME", "spec.nodeName")
                    .containsEntry("ZONE", "metadata.labels['topology.kubernetes.io/zone']").doesNotContainKey("HOST_IP");
            assertThat(pod.has("nodeSelector")).as("the pool is not pinned to a node").isFalse();
            JsonNode hpa = m.component("HorizontalPodAutoscaler", "listener");
            assertThat(hpa.at("/spec/minReplicas").asInt()).isEqualTo(4);
            assertThat(hpa.at("/spec/maxReplicas").asInt()).isEqualTo(64);
            assertThat(hpa.at("/spec/metrics/0/external/metric/name").asText()).isEqualTo("tsfleet_coordinator_desired_replicas");
        }

        @Test
        void theNodeAgentsFromTheHostNetworkReachTheCoordinatorThroughNodeAgentFrom() {
            JsonNode from = m.component("NetworkPolicy", "coordinator").at("/spec/ingress/0/from");
            assertThat(from.toString()).contains("{\"ipBlock\":{\"cidr\":\"10.0.0.0/16\"}}");
            assertThat(from.findValuesAsText("app.kubernetes.io/name")).containsExactlyInAnyOrder("listener-service", "coordinator");
        }

        @Test
        void withNetworkPoliciesButNoPeerForTheNodeAgentsTheChartRefuses() {
            assertThatThrownBy(() -> HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-cluster"))
                    .set("networkPolicy.nodeAgentFrom", "null").yaml())
                    .hasMessageContaining("set networkPolicy.nodeAgentFrom");
            Manifests withoutPolicies = HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-cluster"))
                    .set("networkPolicy.nodeAgentFrom", "null").set("networkPolicy.enabled", false).manifests();
            assertThat(withoutPolicies.ofKind("NetworkPolicy")).isEmpty();
            assertThat(withoutPolicies.ofKind("DaemonSet")).hasSize(1);
        }

        @Test
        void kernelBackendNodeNarrowsTheDaemonSetToOneNodeInClusterModeToo() {
            JsonNode pod = podSpec(HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("kernel-cluster"))
                    .set("kernelBackend.node", "worker-3").manifests().component("DaemonSet", "kernel-backend"));
            assertThat(pod.at("/nodeSelector/kubernetes.io~1hostname").asText()).isEqualTo("worker-3");
            assertThat(pod.at("/nodeSelector/tsfleet.io~1watch").asText()).isEqualTo("true");
        }
    }

    @Nested
    class EmulatedNodes {
        private final Manifests m = ValueSets.render("emulated-nodes");
        private final List<String> nodes = List.of("node-a", "node-b", "node-c");

        @Test
        void threeNodesAreThreeEmulatorsEachWithItsNameSizeConfigAndService() {
            assertThat(m.ofKind("Deployment").stream().map(Manifests::name).filter(n -> n.contains("-emulator-")))
                    .containsExactlyInAnyOrder(PREFIX + "emulator-node-a", PREFIX + "emulator-node-b", PREFIX + "emulator-node-c");
            assertThat(m.ofKind("Service").stream().map(Manifests::name).filter(n -> n.contains("-emulator-"))).hasSize(3);
            Map<String, String> possible = new java.util.TreeMap<>();
            Map<String, Integer> nrCpus = new java.util.TreeMap<>();
            Set<String> checksums = new java.util.HashSet<>();
            for (String node : nodes) {
                JsonNode emulator = m.applicationConfig("emulator-" + node).at("/tsfleet/emulator");
                assertThat(emulator.at("/node/name").asText()).isEqualTo(node);
                assertThat(emulator.at("/node/advertised-broker").asText()).isEqualTo("${POD_IP}:7411");
                assertThat(emulator.at("/node/coordinator-token").asText()).isEqualTo("${TOKEN_NODE}");
                assertThat(secretRefs(podSpec(m.component("Deployment", "emulator-" + node)).at("/containers/0/env")))
                        .as("each emulated node has a token of its own").containsEntry("TOKEN_NODE", Manifests.name(m.ofKind("Secret").getFirst()) + "/node-token-" + node);
                assertThat(emulator.at("/workload/base-rate").asDouble()).isEqualTo(20.0);
                possible.put(node, emulator.at("/kernel/possible-cpus").asText());
                nrCpus.put(node, emulator.at("/kernel/nr-cpus").asInt());
                JsonNode deployment = m.component("Deployment", "emulator-" + node);
                assertThat(deployment.at("/spec/replicas").asInt()).isEqualTo(1);
                assertThat(deployment.at("/spec/selector/matchLabels/tsfleet.io~1emulated-node").asText()).isEqualTo(node);
                JsonNode pod = podSpec(deployment);
                assertThat(pod.at("/volumes/0/configMap/name").asText()).isEqualTo(PREFIX + "emulator-" + node + "-config");
                assertThat(fieldRefs(pod.at("/containers/0/env"))).containsEntry("POD_IP", "status.podIP");
                checksums.add(deployment.at("/spec/template/metadata/annotations/checksum~1config").asText());
                assertThat(m.component("Service", "emulator-" + node).at("/spec/selector/tsfleet.io~1emulated-node").asText()).isEqualTo(node);
            }
            assertThat(possible).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", "0-7", "node-b", "0-15", "node-c", "0-23"));
            assertThat(nrCpus).containsExactlyInAnyOrderEntriesOf(Map.of("node-a", 8, "node-b", 16, "node-c", 32));
            assertThat(checksums).as("each emulator rolls with its own configuration").hasSize(3);
            assertThat(m.applicationConfig("emulator-node-a").at("/tsfleet/emulator/node/zone").asText()).isEqualTo("zone-1");
            assertThat(m.applicationConfig("emulator-node-c").at("/tsfleet/emulator/node/zone").asText()).isEqualTo("zone-2");
        }

        @Test
        void theCoordinatorIsInClusterModeAndTheReplicasCarryTheirZone() {
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator").has("possible-cpus")).isFalse();
            JsonNode listener = m.applicationConfig("listener").at("/tsfleet/listener");
            assertThat(listener.has("broker")).isFalse();
            assertThat(listener.path("zone").asText()).isEqualTo("zone-1");
            // one NetworkPolicy admits the replicas to every emulator's broker
            JsonNode policy = m.component("NetworkPolicy", "emulator");
            assertThat(policy.at("/spec/podSelector/matchLabels").has("tsfleet.io/emulated-node")).isFalse();
            assertThat(policy.at("/spec/ingress/0/ports/0/port").asText()).isEqualTo("broker");
        }

        @Test
        void aStaticFleetListensToOneNodeOnly() {
            assertThatThrownBy(() -> HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("emulated-nodes"))
                    .set("coordinator.possibleCpus", "0-7").yaml())
                    .hasMessageContaining("a static fleet (coordinator.possibleCpus set) listens to one node, but emulator.nodes has 3");
        }

        @Test
        void eachEmulatedNodeHasAGeneratedTokenOfItsOwnThatTheCoordinatorBindsToItsName() {
            JsonNode data = m.ofKind("Secret").getFirst().path("data");
            List<String> tokens = nodes.stream().map(n -> new String(Base64.getDecoder().decode(data.path("node-token-" + n).asText()))).toList();
            assertThat(tokens).allSatisfy(t -> assertThat(t).hasSize(40).matches("[A-Za-z0-9]+"));
            assertThat(Set.copyOf(tokens)).hasSize(3);
            String secret = Manifests.name(m.ofKind("Secret").getFirst());
            JsonNode security = m.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(security.path("node-tokens").asText()).isEqualTo("node-a=${TOKEN_NODE_0},node-b=${TOKEN_NODE_1},node-c=${TOKEN_NODE_2}");
            assertThat(security.at("/token-review").has("node-service-account"))
                    .as("an emulated node's pod runs on some Kubernetes node: its service-account token cannot speak for node-a").isFalse();
            assertThat(secretRefs(podSpec(m.component("Deployment", "coordinator")).at("/containers/0/env")))
                    .containsEntry("TOKEN_NODE_0", secret + "/node-token-node-a").containsEntry("TOKEN_NODE_1", secret + "/node-token-node-b")
                    .containsEntry("TOKEN_NODE_2", secret + "/node-token-node-c").doesNotContainKey("TOKEN_NODE");
        }

        @Test
        void withTheSharedNodeTokenEveryEmulatorPresentsTheSameToken() {
            Manifests shared = HelmChart.project().render().values(io.tsfleet.helm.support.ProjectPaths.valueSet("emulated-nodes"))
                    .set("auth.nodeCredential", "sharedToken").manifests();
            String secret = Manifests.name(shared.ofKind("Secret").getFirst());
            for (String node : nodes) {
                assertThat(secretRefs(podSpec(shared.component("Deployment", "emulator-" + node)).at("/containers/0/env")))
                        .containsEntry("TOKEN_NODE", secret + "/node-token");
            }
            assertThat(shared.applicationConfig("coordinator").at("/tsfleet/coordinator/security/node-tokens").asText()).isEqualTo("${TOKEN_NODE}");
            assertThat(shared.ofKind("Secret").getFirst().path("data").has("node-token-node-a")).isFalse();
        }

        @Test
        void anUnknownNodeCredentialIsRefused() {
            assertThatThrownBy(() -> HelmChart.project().render().set("auth.nodeCredential", "none").yaml()).hasMessageContaining("nodeCredential");
        }

        @Test
        void aNodeNameGivenTwiceIsRefused() {
            assertThatThrownBy(() -> HelmChart.project().render()
                    .set("emulator.nodes[0].name", "twin").set("emulator.nodes[0].cpus", 4)
                    .set("emulator.nodes[1].name", "twin").set("emulator.nodes[1].cpus", 8).yaml())
                    .hasMessageContaining("the node name \"twin\" is given twice");
        }

        @Test
        void longNamesStayWithinKubernetesLimitsAndDistinct() {
            String longNode = "a-rather-long-emulated-node-name-of-forty-chars";
            Manifests long_ = HelmChart.project().render().set("fullnameOverride", "tsfleet-with-a-rather-long-name-for-each")
                    .set("emulator.nodes[0].name", longNode).set("emulator.nodes[0].cpus", 4)
                    .set("emulator.nodes[1].name", longNode + "-2").set("emulator.nodes[1].cpus", 8).manifests();
            List<String> names = long_.stream().filter(o -> o.at("/metadata/labels/app.kubernetes.io~1name").asText().equals("emulator"))
                    .map(Manifests::id).toList();
            assertThat(names).hasSize(8).doesNotHaveDuplicates() // 2 x (ConfigMap, Deployment, Service), the ServiceAccount and NetworkPolicy
                    .allSatisfy(id -> assertThat(id.substring(id.indexOf('/') + 1)).hasSizeLessThanOrEqualTo(63));
            JsonNode deployment = long_.ofKind("Deployment").stream()
                    .filter(d -> d.at("/spec/selector/matchLabels/tsfleet.io~1emulated-node").asText().equals(longNode)).findFirst().orElseThrow();
            String configMap = podSpec(deployment).at("/volumes/0/configMap/name").asText();
            assertThat(long_.get("ConfigMap", configMap).at("/data/application.yaml").asText()).contains("name: " + longNode + "\n");
        }
    }

    @Nested
    class StaticEmulatedNode {
        private final Manifests m = HelmChart.project().render().set("coordinator.possibleCpus", "0-63").manifests();

        @Test
        void oneEmulatedNodeWithPossibleCpusIsTheStaticFleetWithOneBroker() {
            JsonNode coordinator = m.applicationConfig("coordinator").at("/tsfleet/coordinator");
            assertThat(coordinator.path("possible-cpus").asText()).isEqualTo("0-63");
            assertThat(coordinator.path("static-node").asText())
                    .isEqualTo(m.applicationConfig("emulator-emulated-0").at("/tsfleet/emulator/node/name").asText())
                    .isEqualTo("emulated-0");
            assertThat(coordinator.at("/security").has("node-tokens")).isFalse();
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/broker").asText()).isEqualTo(PREFIX + "emulator-emulated-0:7411");
            // no node agent: nothing announces, nothing needs the node token or a way to the coordinator
            assertThat(m.applicationConfig("emulator-emulated-0").at("/tsfleet/emulator/node").has("coordinator-url")).isFalse();
            JsonNode env = podSpec(m.component("Deployment", "emulator-emulated-0")).at("/containers/0/env");
            assertThat(secretRefs(env).keySet()).containsExactly("TOKEN_BROKER");
            assertThat(m.component("NetworkPolicy", "coordinator").at("/spec/ingress/0/from").findValuesAsText("app.kubernetes.io/name"))
                    .containsExactlyInAnyOrder("listener-service", "coordinator");
        }

        @Test
        void oneZoneForEveryReplicaOrEachPodsOwnButNotBoth() {
            assertThatThrownBy(() -> HelmChart.project().render().set("listener.zone", "zone-1").set("listener.zoneFromPodLabel", true).yaml())
                    .hasMessageContaining("listener.zone and listener.zoneFromPodLabel are exclusive");
        }
    }

    @Nested
    class ExternalBroker {
        private final Manifests m = ValueSets.render("external-broker");

        @Test
        void anExistingSecretIsUsedAndNoneIsCreated() {
            assertThat(m.ofKind("Secret")).isEmpty();
            JsonNode env = podSpec(m.component("Deployment", "coordinator")).at("/containers/0/env");
            assertThat(secretRefs(env).values()).containsExactlyInAnyOrder("fleet-tokens/admin-token", "fleet-tokens/read-token");
        }

        @Test
        void theListenersUseTheExternalBrokerAndExtraConfigIsMergedIn() {
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/broker").asText()).isEqualTo("broker.tsfleet-system.svc:7411");
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/static-node").asText()).isEqualTo("local");
            assertThat(m.applicationConfig("coordinator").at("/tsfleet/coordinator/security").has("node-tokens")).isFalse();
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/receive-buffer").asText()).isEqualTo("16MB");
            JsonNode coordinator = m.applicationConfig("coordinator").at("/tsfleet/coordinator");
            assertThat(coordinator.path("audit-capacity").asInt()).isEqualTo(5000);
            assertThat(coordinator.path("possible-cpus").asText()).isEqualTo("0-8191");
            assertThat(m.ofKind("NetworkPolicy")).isEmpty();
            assertThat(m.ofKind("PodDisruptionBudget")).isEmpty();
        }

        @Test
        void namesComeFromTheOverrideAndImagesFromTheRegistryTagAndDigest() {
            assertThat(m.objects()).allSatisfy(o -> assertThat(Manifests.name(o)).startsWith("tsfleet-with-a-rather-long-name-for-each-"));
            assertThat(podSpec(m.component("Deployment", "coordinator")).at("/containers/0/image").asText())
                    .isEqualTo("registry.example.org/tsfleet/coordinator@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
            assertThat(podSpec(m.component("Deployment", "listener")).at("/containers/0/image").asText())
                    .isEqualTo("registry.example.org/tsfleet/listener-service:0.1.0-rc1");
        }
    }

    @Nested
    class SharedReplicaToken {
        private final Manifests m = HelmChart.project().render().set("auth.replicaCredential", "sharedToken").manifests();

        @Test
        void allReplicasPresentTheSecretsReplicaTokenAndNoTokenReviewIsGranted() {
            String secret = Manifests.name(m.ofKind("Secret").getFirst());
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener/coordinator-token").asText()).isEqualTo("${TOKEN_REPLICA}");
            assertThat(m.applicationConfig("listener").at("/tsfleet/listener").has("coordinator-token-file")).isFalse();
            assertThat(secretRefs(podSpec(m.component("Deployment", "listener")).at("/containers/0/env")))
                    .containsEntry("TOKEN_REPLICA", secret + "/replica-token");
            assertThat(podSpec(m.component("Deployment", "listener")).path("volumes").findParents("projected")).isEmpty();
            JsonNode security = m.applicationConfig("coordinator").at("/tsfleet/coordinator/security");
            assertThat(security.path("replica-tokens").asText()).isEqualTo("${TOKEN_REPLICA}");
            assertThat(security.has("token-review")).isFalse();
            assertThat(m.ofKind("ClusterRole")).isEmpty();
            assertThat(m.ofKind("ClusterRoleBinding")).isEmpty();
        }

        @Test
        void anUnknownCredentialKindIsRefused() {
            assertThatThrownBy(() -> HelmChart.project().render().set("auth.replicaCredential", "none").yaml())
                    .hasMessageContaining("replicaCredential");
        }
    }

    @Nested
    class RefusedCombinations {
        private final HelmChart chart = HelmChart.project();

        @Test
        void theEmulatorAndTheKernelBackendTogether() {
            assertThatThrownBy(() -> chart.render().set("kernelBackend.enabled", true).set("kernelBackend.node", "n1").yaml())
                    .hasMessageContaining("emulator.enabled and kernelBackend.enabled are exclusive");
        }

        @Test
        void noBrokerAtAll() {
            assertThatThrownBy(() -> chart.render().set("emulator.enabled", false).set("coordinator.possibleCpus", "0-7").yaml())
                    .hasMessageContaining("set broker.address");
        }

        @Test
        void noPossibleCpusWithoutTheEmulator() {
            assertThatThrownBy(() -> chart.render().set("emulator.enabled", false).set("broker.address", "b:7411").yaml())
                    .hasMessageContaining("set coordinator.possibleCpus");
        }

        @Test
        void aStaticKernelFleetWithoutItsNode() {
            assertThatThrownBy(() -> chart.render().set("emulator.enabled", false).set("kernelBackend.enabled", true)
                    .set("coordinator.possibleCpus", "0-7").yaml())
                    .hasMessageContaining("kernelBackend.node: the node whose kernel a static fleet");
        }

        @Test
        void givenTokensAreUsedAsGiven() {
            JsonNode data = chart.render().set("auth.adminToken", "s3cret-admin").manifests().ofKind("Secret").getFirst().path("data");
            assertThat(new String(Base64.getDecoder().decode(data.path("admin-token").asText()))).isEqualTo("s3cret-admin");
        }
    }

    /** env name -> downward API field of the entries that have one */
    static Map<String, String> fieldRefs(JsonNode env) {
        Map<String, String> refs = new java.util.TreeMap<>();
        for (JsonNode e : env) {
            JsonNode ref = e.at("/valueFrom/fieldRef/fieldPath");
            if (!ref.isMissingNode()) refs.put(e.path("name").asText(), ref.asText());
        }
        return refs;
    }

    private static Map<String, String> secretRefs(JsonNode env) {
        Map<String, String> refs = new java.util.TreeMap<>();
        for (JsonNode e : env) {
            JsonNode ref = e.at("/valueFrom/secretKeyRef");
            if (!ref.isMissingNode()) {
                refs.put(e.path("name").asText(), ref.path("name").asText() + "/" + ref.path("key").asText());
            }
        }
        return refs;
    }
}
