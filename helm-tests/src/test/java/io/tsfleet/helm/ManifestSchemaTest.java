package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.tsfleet.helm.support.KubernetesSchemaValidator;
import io.tsfleet.helm.support.Manifests;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Every rendered object validates against the Kubernetes and prometheus-operator OpenAPI definitions. */
class ManifestSchemaTest {
    static final List<String> VALUE_SETS = ValueSets.NAMES;
    private static KubernetesSchemaValidator validator;

    @BeforeAll
    static void loadTheSchemas() {
        validator = new KubernetesSchemaValidator();
    }

    @ParameterizedTest
    @FieldSource("VALUE_SETS")
    void everyRenderedObjectIsValid(String valueSet) {
        Manifests manifests = ValueSets.render(valueSet);
        List<String> errors = new ArrayList<>();
        for (JsonNode object : manifests.objects()) {
            validator.validate(object).forEach(e -> errors.add(Manifests.id(object) + ": " + e));
        }

        assertThat(errors).isEmpty();
        assertThat(manifests.objects()).hasSizeGreaterThanOrEqualTo(10);
    }

    /** The validator is only worth its verdicts if it rejects what an API server rejects. */
    @Test
    void theValidatorRejectsBrokenObjectsOfEveryGroupTheChartUses() {
        Manifests manifests = ValueSets.render("monitoring-hpa");
        List<JsonNode> broken = List.of(
                with(manifests.component("Deployment", "listener"), "/spec", "replicaz", 2),
                with(manifests.component("Deployment", "listener"), "/spec", "replicas", "two"),
                with(manifests.component("Role", "coordinator"), "", "rulez", List.of()),
                with(manifests.component("NetworkPolicy", "coordinator"), "/spec", "podSelectorr", "x"),
                with(manifests.component("HorizontalPodAutoscaler", "listener"), "/spec", "maxReplicas", "many"),
                with(manifests.component("ServiceMonitor", "listener"), "/spec", "endpointz", List.of()),
                with(manifests.ofKind("PrometheusRule").getFirst(), "/spec", "groups", "none"),
                with(manifests.component("PodDisruptionBudget", "coordinator"), "/spec", "maxUnavailabel", 1));

        assertThat(broken).allSatisfy(o -> assertThat(validator.validate(o)).as(Manifests.id(o)).isNotEmpty());
        // the kernel backend's DaemonSet (cluster mode: on every selected node) is checked as strictly
        JsonNode daemonSet = ValueSets.render("kernel-cluster").component("DaemonSet", "kernel-backend");
        assertThat(validator.validate(daemonSet)).isEmpty();
        assertThat(validator.validate(with(daemonSet, "/spec/updateStrategy/rollingUpdate", "maxUnavailabel", 1))).isNotEmpty();
        assertThat(validator.validate(with(daemonSet, "/spec/template/spec", "hostNetwork", "yes"))).isNotEmpty();
        assertThat(validator.validate(Manifests.readYaml("{apiVersion: apps/v1beta9, kind: Deployment, metadata: {name: x}}")))
                .singleElement().asString().contains("no schema");
    }

    @Test
    void intOrStringFieldsTakeNumbersAndNames() {
        JsonNode service = Manifests.readYaml("""
                apiVersion: v1
                kind: Service
                metadata: {name: s}
                spec:
                  ports:
                    - {name: a, port: 80, targetPort: 8080}
                    - {name: b, port: 81, targetPort: http}
                """);
        assertThat(validator.validate(service)).isEmpty();
    }

    private static JsonNode with(JsonNode object, String path, String field, Object value) {
        ObjectNode copy = object.deepCopy();
        ((ObjectNode) (path.isEmpty() ? copy : copy.at(path))).set(field, Manifests.JSON.valueToTree(value));
        return copy;
    }
}
