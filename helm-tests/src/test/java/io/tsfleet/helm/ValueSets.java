package io.tsfleet.helm;

import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.Manifests;
import io.tsfleet.helm.support.ProjectPaths;

import java.util.List;

/** The value sets every structural and schema test runs on: the defaults and this module's values/*.yaml. */
final class ValueSets {
    static final List<String> NAMES = List.of("defaults", "monitoring-hpa", "kernel-node", "kernel-cluster", "emulated-nodes", "external-broker",
            "sinks-kafka-claim", "sinks-otlp-hostpath");

    private ValueSets() {
    }

    static Manifests render(String name) {
        HelmChart.Rendering rendering = HelmChart.project().render();
        if (!name.equals("defaults")) {
            rendering.values(ProjectPaths.valueSet(name));
        }
        return rendering.manifests();
    }
}
