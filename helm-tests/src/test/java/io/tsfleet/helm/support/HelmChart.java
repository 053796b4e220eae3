package io.tsfleet.helm.support;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The chart rendered by real Helm (helm-java embeds Helm v3 as a native library): {@code helm template} and
 * {@code helm lint}, offline, as a client would run them.
 */
public final class HelmChart {
    public static final String RELEASE = "fleet";
    public static final String NAMESPACE = "tsfleet";
    /** The Kubernetes version the chart is rendered for (what the bundled OpenAPI of the validator describes). */
    public static final String KUBE_VERSION = "1.34.0";

    private final Path chart;

    public HelmChart(Path chart) {
        this.chart = chart;
    }

    public static HelmChart project() {
        return new HelmChart(ProjectPaths.chart());
    }

    /** A rendering; start from {@link #render()} and add values. */
    public final class Rendering {
        private final Map<String, Object> sets = new LinkedHashMap<>();
        private Path valuesFile;
        private String release = RELEASE;

        public Rendering set(String key, Object value) {
            sets.put(key, value);
            return this;
        }

        public Rendering values(Path file) {
            this.valuesFile = file;
            return this;
        }

        public Rendering release(String name) {
            this.release = name;
            return this;
        }

        /** The raw output; throws {@link IllegalStateException} with Helm's message when rendering fails. */
        public String yaml() {
            TemplateCommand template = new Helm(chart).template()
                    .withName(release).withNamespace(NAMESPACE).withKubeVersion(KUBE_VERSION);
            if (valuesFile != null) {
                template = template.withValuesFile(valuesFile);
            }
            for (Map.Entry<String, Object> set : sets.entrySet()) {
                template = template.set(set.getKey(), set.getValue());
            }
            return template.call();
        }

        public Manifests manifests() {
            return Manifests.parse(yaml());
        }
    }

    public Rendering render() {
        return new Rendering();
    }

    public LintResult lintStrict() {
        return new Helm(chart).lint().strict().call();
    }
}
