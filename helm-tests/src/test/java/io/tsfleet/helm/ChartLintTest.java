package io.tsfleet.helm;

import com.marcnuri.helm.LintResult;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.ProjectPaths;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class ChartLintTest {

    @Test
    void theChartPassesStrictLint() {
        LintResult lint = HelmChart.project().lintStrict();

        assertThat(lint.isFailed()).as("helm lint --strict: %s", lint.getMessages()).isFalse();
        assertThat(lint.getMessages()).noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @Test
    void strictLintFailsOnABrokenCopyOfTheChart(@TempDir Path copy) throws IOException {
        copyChart(ProjectPaths.chart(), copy);
        Path template = copy.resolve("templates/coordinator.yaml");
        Files.writeString(template, Files.readString(template).replace("{{ $c.replicas }}", "{{ $c.replicaz.count }}"));

        LintResult lint = new HelmChart(copy).lintStrict();

        assertThat(lint.isFailed()).isTrue();
        assertThat(String.join("\n", lint.getMessages())).contains("coordinator.yaml");
    }

    private static void copyChart(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : files.toList()) {
                Path target = to.resolve(from.relativize(source).toString());
                if (Files.isDirectory(source)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(source, target);
                }
            }
        }
    }
}
