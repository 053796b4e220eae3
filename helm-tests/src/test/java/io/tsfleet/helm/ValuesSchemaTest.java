package io.tsfleet.helm;

import io.tsfleet.helm.support.HelmChart;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** values.schema.json turns bad values away before anything renders, naming the value. */
class ValuesSchemaTest {
    private final HelmChart chart = HelmChart.project();

    @ParameterizedTest(name = "{0}={1} is rejected")
    @CsvSource(delimiter = '|', textBlock = """
            listener.scaling.mode                              | elastic
            listener.scaling.maxReplicas                       | 0
            listener.sink                                      | records.jsonl
            listener.sink                                      | Kafka:exits
            listener.sink                                      | jsonl:/data/my records.jsonl
            listener.sink[0]                                   | stdout,otlp
            listener.sinkVolume.type                           | configMap
            listener.sinkVolume.size                           | 1 GB
            listener.sinkVolume.mountPath                      | data
            listener.sinkVolume.persistentVolumeClaim.accessModes[0] | ReadWriteSometimes
            listener.extraEnv                                  | 12
            metrics.prometheusRule.thresholds.sinkBackpressureRatio | 1.5
            metrics.prometheusRule.thresholds.sinkFailingFor   | 5 minutes
            listener.receiveBuffer                             | 4 megabytes
            listener.drainTimeout                              | 30 seconds
            coordinator.replicas                               | 0
            coordinator.possibleCpus                           | 0-3,x
            coordinator.heartbeatInterval                      | 2
            coordinator.service.type                           | ExternalName
            emulator.nrCpus                                    | 64
            emulator.nodes                                     | node-a
            emulator.workload.baseRate                         | -1
            image.pullPolicy                                   | Sometimes
            image.registry                                     | registry.example.org
            metrics.prometheusRule.thresholds.lossRatio        | 2
            metrics.prometheusRule.thresholds.rebalancesPer15m | 0
            metrics.prometheusRule.runbookUrl                  | wiki/runbooks
            metrics.serviceMonitor.interval                    | 15
            broker.address                                     | broker-without-port
            listner.replicas                                   | 3
            coordinator.replicaCount                           | 2
            kernelBackend.nodeSelector                         | worker-1
            networkPolicy.nodeAgentFrom                        | 10.0.0.0/16
            listener.zone                                      | zone a
            listener.zoneFromPodLabel                          | sometimes
            auth.nodeToken                                     | 12
            """)
    void rejects(String key, String value) {
        assertThatThrownBy(() -> chart.render().set(key, value).yaml())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @ParameterizedTest(name = "{0}={1} is accepted")
    @CsvSource(delimiter = '|', textBlock = """
            listener.scaling.mode      | hpa
            listener.sink              | stdout
            listener.sink              | otlp:http/protobuf
            listener.sink[0]           | stdout
            coordinator.possibleCpus   | 0-3,8,16-31:2/4
            listener.zone              | eu-west-1a
            listener.receiveBuffer     | 16MB
            metrics.prometheusRule.thresholds.rebalancesPer15m | 12
            """)
    void accepts(String key, String value) {
        assertThat(chart.render().set(key, value).manifests().objects()).isNotEmpty();
    }

    @ParameterizedTest(name = "emulated node {0} with {1} CPUs ({2}) is rejected")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            node-a     | 8193 | -
            node-a     | 0    | -
            node-a     | 8    | cpus 0 to 7
            Node_A     | 8    | -
            -          | 8    | -
            node-a     | -    | -
            """)
    void rejectsABadEmulatedNode(String name, Integer cpus, String possibleCpus) {
        HelmChart.Rendering rendering = chart.render();
        if (name != null) rendering.set("emulator.nodes[0].name", name);
        if (cpus != null) rendering.set("emulator.nodes[0].cpus", cpus);
        if (possibleCpus != null) rendering.set("emulator.nodes[0].possibleCpus", possibleCpus);
        assertThatThrownBy(rendering::yaml)
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("values don't meet the specifications of the schema");
    }

    @ParameterizedTest(name = "emulated node {0} with {1} CPUs ({2}) is accepted")
    @CsvSource(delimiter = '|', nullValues = "-", textBlock = """
            node-a     | 8192 | -
            node-a     | 8    | 0-N
            node-a     | 16   | 0-3,8,12-15
            """)
    void acceptsAnEmulatedNode(String name, Integer cpus, String possibleCpus) {
        HelmChart.Rendering rendering = chart.render().set("emulator.nodes[0].name", name).set("emulator.nodes[0].cpus", cpus);
        if (possibleCpus != null) rendering.set("emulator.nodes[0].possibleCpus", possibleCpus);
        assertThat(rendering.manifests().objects()).isNotEmpty();
    }
}
