package io.tsfleet.helm;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.InstallCommand;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.ProjectPaths;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** NOTES.txt, as `helm install` prints it (a client-only dry run: no cluster is contacted). */
class ChartNotesTest {

    private static String notes(String valueSet) {
        InstallCommand install = new Helm(ProjectPaths.chart()).install().withName(HelmChart.RELEASE)
                .withNamespace(HelmChart.NAMESPACE).withKubeVersion(HelmChart.KUBE_VERSION).clientOnly().dryRun();
        if (valueSet != null) {
            install = install.withValuesFile(ProjectPaths.valueSet(valueSet));
        }
        return install.call().getOutput();
    }

    @Test
    void aDemoInstallSaysWhereTheAdminApiIsAndHowToGetAToken() {
        String notes = notes(null);

        assertThat(notes).contains("release fleet in namespace tsfleet")
                .contains("Mode: cluster")
                .contains("1 emulated node (emulated-0: CPUs 0-63), 10 exits/s per CPU")
                .contains("Listener replicas: 3 (fixed)")
                .contains("port-forward svc/fleet-taskstats-fleet-coordinator 8080:8080")
                .contains("get secret fleet-taskstats-fleet-tokens -o jsonpath='{.data.read-token}'")
                .doesNotContain("WARNING: NetworkPolicies");
    }

    @Test
    void theDefaultSinkNoneSaysLoudlyThatRecordsAreThrownAwayAndHowToPickASink() {
        String notes = notes(null);

        // before the summary of the steps, so that nobody scrolls past it
        assertThat(notes.indexOf("WARNING: RECORDS ARE DISCARDED")).isPositive().isLessThan(notes.indexOf("1. Wait for the pods"));
        assertThat(notes).contains("listener.sink is \"none\"")
                .contains("--set listener.sink=stdout")
                .contains("--set listener.sink=kafka:<topic> --set listener.sinkOptions.kafka.bootstrap-servers=<host:port>")
                .contains("OTEL_EXPORTER_OTLP_ENDPOINT")
                .contains("--set listener.sink=jsonl:/data/records.jsonl --set listener.sinkVolume.enabled=true")
                .doesNotContain("Records go to");
    }

    @Test
    void theKernelNodeInstallNamesTheNodeAndTheScaler() {
        String notes = notes("kernel-node");

        assertThat(notes).contains("Mode: static - one node (0-255)")
                .contains("the live kernel of node worker-7")
                .contains("Listener replicas: 2..16, scaled by the coordinator")
                .contains("PrometheusRule fleet-taskstats-fleet")
                // monitoring on, NetworkPolicies on, no peer for Prometheus
                .contains("WARNING: NetworkPolicies admit only the release's own traffic");
    }

    @Test
    void aClusterInstallSaysThatEveryNodeIsWatched() {
        assertThat(notes("kernel-cluster")).contains("Mode: cluster")
                .contains("the live kernel of every node the kernel backend DaemonSet runs on");
        assertThat(notes("emulated-nodes")).contains("3 emulated nodes (node-a: CPUs 0-7, node-b: CPUs 0-15, node-c: CPUs 0-23)");
    }

    @Test
    void anHpaInstallSaysWhatTheHpaNeeds() {
        String notes = notes("monitoring-hpa");

        assertThat(notes).contains("scaled by an HPA on the external metric tsfleet_coordinator_desired_replicas")
                .contains("prometheus-adapter")
                .contains("Records go to: jsonl:/data/records.jsonl")
                .doesNotContain("WARNING");
    }
}
