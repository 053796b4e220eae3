package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.Manifests;
import io.tsfleet.helm.support.ProjectPaths;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The chart's README documents every value of values.yaml, and nothing that does not exist. */
class ChartReadmeTest {
    private static final Pattern PARAM = Pattern.compile("^\\s*## @param (\\S+) ", Pattern.MULTILINE);
    private static final Pattern README_ROW = Pattern.compile("^\\| `([a-zA-Z0-9_.]+)` \\|", Pattern.MULTILINE);

    @Test
    void everyValueIsDocumentedInTheReadme() throws IOException {
        Set<String> params = matches(PARAM, Files.readString(ProjectPaths.chart().resolve("values.yaml")));
        Set<String> documented = matches(README_ROW, Files.readString(ProjectPaths.chart().resolve("README.md")));

        assertThat(params).hasSizeGreaterThan(100);
        assertThat(documented).isEqualTo(params);
    }

    @Test
    void everyValueHasAParamLine() throws IOException {
        Set<String> params = matches(PARAM, Files.readString(ProjectPaths.chart().resolve("values.yaml")));
        Set<String> leaves = new TreeSet<>();
        collectLeaves("", Manifests.readYaml(ProjectPaths.chart().resolve("values.yaml")), params, leaves);

        assertThat(leaves).isNotEmpty().allSatisfy(leaf -> assertThat(params).as("@param for %s", leaf).contains(leaf));
    }

    /** Paths down to a documented map (e.g. resources) or a scalar. */
    private static void collectLeaves(String prefix, JsonNode node, Set<String> params, Set<String> leaves) {
        if (node.isObject() && !node.isEmpty() && !params.contains(prefix)) {
            node.properties().forEach(e -> collectLeaves(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(), e.getValue(), params, leaves));
        } else {
            leaves.add(prefix);
        }
    }

    private static Set<String> matches(Pattern pattern, String text) {
        Set<String> found = new TreeSet<>();
        Matcher m = pattern.matcher(text);
        while (m.find()) {
            found.add(m.group(1));
        }
        return found;
    }
}
