package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.Manifests;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static io.tsfleet.helm.support.Manifests.id;
import static io.tsfleet.helm.support.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What no schema checks: labels and selectors, names, API versions that exist in every supported Kubernetes,
 * security contexts, probes and resources, on every value set.
 */
class ChartStructureTest {
    static final List<String> VALUE_SETS = ValueSets.NAMES;

    /** GA in Kubernetes 1.29 (the chart's kubeVersion floor) through 1.34, and prometheus-operator's v1. */
    private static final Set<String> ALLOWED_KINDS = Set.of(
            "v1/ConfigMap", "v1/Secret", "v1/Service", "v1/ServiceAccount", "v1/PersistentVolumeClaim",
            "apps/v1/Deployment", "apps/v1/DaemonSet", "autoscaling/v2/HorizontalPodAutoscaler",
            "policy/v1/PodDisruptionBudget", "networking.k8s.io/v1/NetworkPolicy",
            "rbac.authorization.k8s.io/v1/Role", "rbac.authorization.k8s.io/v1/RoleBinding",
            "rbac.authorization.k8s.io/v1/ClusterRole", "rbac.authorization.k8s.io/v1/ClusterRoleBinding",
            "monitoring.coreos.com/v1/ServiceMonitor", "monitoring.coreos.com/v1/PodMonitor",
            "monitoring.coreos.com/v1/PrometheusRule");
    private static final String DNS_1123_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private static final List<String> RECOMMENDED_LABELS = List.of("app.kubernetes.io/name", "app.kubernetes.io/instance",
            "app.kubernetes.io/version", "app.kubernetes.io/managed-by", "app.kubernetes.io/part-of", "helm.sh/chart");

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void everyObjectUsesAnAllowedApiVersionAndAValidName(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);

        assertThat(manifests.objects()).allSatisfy(o -> {
            assertThat(o.path("apiVersion").asText() + "/" + o.path("kind").asText()).as(id(o)).isIn(ALLOWED_KINDS);
            assertThat(Manifests.name(o)).as(id(o)).matches(DNS_1123_LABEL).hasSizeLessThanOrEqualTo(63);
        });
        assertThat(new HashSet<>(manifests.ids())).as("unique kind/name").hasSameSizeAs(manifests.ids());
    }

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void everyObjectCarriesTheRecommendedLabels(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);

        assertThat(manifests.objects()).allSatisfy(o -> {
            for (String label : RECOMMENDED_LABELS) {
                assertThat(o.at("/metadata/labels").has(label)).as("%s has %s", id(o), label).isTrue();
            }
            assertThat(o.at("/metadata/labels/app.kubernetes.io~1instance").asText()).isEqualTo(HelmChart.RELEASE);
            assertThat(o.at("/metadata/labels/app.kubernetes.io~1managed-by").asText()).isEqualTo("Helm");
        });
    }

    /** The label that tells the emulators of the emulated nodes apart (one Deployment per node). */
    static final String EMULATED_NODE = "tsfleet.io/emulated-node";

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void selectorsUseNameAndInstanceOnlyAndMatchTheirPods(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);
        List<JsonNode> workloads = new ArrayList<>(manifests.ofKind("Deployment"));
        workloads.addAll(manifests.ofKind("DaemonSet"));

        assertThat(workloads).isNotEmpty().allSatisfy(w -> {
            Map<String, String> selector = strings(w.at("/spec/selector/matchLabels"));
            if ("emulator".equals(selector.get("app.kubernetes.io/name"))) {
                assertThat(selector.keySet()).as(id(w)).containsExactlyInAnyOrder("app.kubernetes.io/name", "app.kubernetes.io/instance", EMULATED_NODE);
            } else {
                assertThat(selector.keySet()).as(id(w)).containsExactlyInAnyOrder("app.kubernetes.io/name", "app.kubernetes.io/instance");
            }
            assertThat(strings(w.at("/spec/template/metadata/labels"))).as(id(w)).containsAllEntriesOf(selector);
        });
        // Services, PDBs and monitors select exactly one workload's pods
        for (JsonNode service : manifests.ofKind("Service")) {
            Map<String, String> selector = new java.util.HashMap<>(strings(service.at("/spec/selector")));
            // the coordinator Service also selects the role label that the leader puts on its own pod at run time
            String role = selector.remove("tsfleet.io/coordinator-role");
            if (role != null) {
                assertThat(id(service)).endsWith("-coordinator");
                assertThat(role).isEqualTo("leader");
            }
            // an emulated node's Service selects its own emulator
            String node = selector.remove(EMULATED_NODE);
            if (node != null) {
                assertThat(id(service)).endsWith("-emulator-" + node);
            }
            assertThat(selector.keySet()).as(id(service)).containsExactlyInAnyOrder("app.kubernetes.io/name", "app.kubernetes.io/instance");
            if (node != null) selector.put(EMULATED_NODE, node);
            assertThat(workloads.stream().filter(w -> strings(w.at("/spec/template/metadata/labels")).entrySet()
                    .containsAll(selector.entrySet()))).as("workloads selected by %s", id(service)).hasSize(1);
        }
        // the components are told apart by name: no two workloads share a selector
        assertThat(workloads.stream().map(w -> strings(w.at("/spec/selector/matchLabels"))).distinct()).hasSameSizeAs(workloads);
    }

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void everythingButTheKernelBackendRunsAsNonRootWithNothingExtra(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);

        assertThat(manifests.ofKind("Deployment")).allSatisfy(d -> {
            JsonNode pod = podSpec(d);
            assertThat(pod.at("/securityContext/runAsNonRoot").asBoolean()).as(id(d)).isTrue();
            assertThat(pod.at("/securityContext/runAsUser").asInt()).as(id(d)).isPositive();
            assertThat(pod.at("/securityContext/seccompProfile/type").asText()).isEqualTo("RuntimeDefault");
            assertThat(pod.path("hostNetwork").asBoolean(false)).isFalse();
            assertThat(pod.path("hostPID").asBoolean(false)).isFalse();
            for (JsonNode container : pod.path("containers")) {
                JsonNode security = container.path("securityContext");
                assertThat(security.path("allowPrivilegeEscalation").asBoolean(true)).as(id(d)).isFalse();
                assertThat(security.path("readOnlyRootFilesystem").asBoolean(false)).as(id(d)).isTrue();
                assertThat(security.path("privileged").asBoolean(false)).isFalse();
                assertThat(security.at("/capabilities/drop").toString()).contains("\"ALL\"");
                assertThat(security.at("/capabilities/add").isMissingNode()).as("%s adds capabilities", id(d)).isTrue();
            }
        });
    }

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void everyContainerHasProbesResourcesAndAWritableTmp(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);
        List<JsonNode> workloads = new ArrayList<>(manifests.ofKind("Deployment"));
        workloads.addAll(manifests.ofKind("DaemonSet"));

        assertThat(workloads).allSatisfy(w -> {
            // the chart's own container comes first; further ones are the user's listener.sidecars
            JsonNode containers = podSpec(w).path("containers");
            if (containers.size() > 1) {
                assertThat(id(w)).as("only the listeners take sidecars").endsWith("-listener");
            }
            for (JsonNode container : List.of(containers.get(0))) {
                for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
                    assertThat(container.at("/" + probe + "/httpGet/path").asText()).as("%s %s", id(w), probe).startsWith("/actuator/health/");
                }
                assertThat(container.at("/resources/requests/memory").asText()).as(id(w)).isNotEmpty();
                assertThat(container.at("/resources/limits/memory").asText()).as(id(w)).isNotEmpty();
                assertThat(container.path("volumeMounts").findValuesAsText("mountPath")).as(id(w)).contains("/tmp", "/config");
            }
        });
    }

    static Map<String, String> strings(JsonNode object) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        object.properties().forEach(e -> map.put(e.getKey(), e.getValue().asText()));
        return map;
    }
}
