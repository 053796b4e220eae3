package io.tsfleet.helm;

import com.fasterxml.jackson.databind.JsonNode;
import io.tsfleet.helm.support.HelmChart;
import io.tsfleet.helm.support.Manifests;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static io.tsfleet.helm.support.Manifests.podSpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Where the records go (issue #20): the sink list and its options as the listener reads them, the jsonl files' volume
 * with rotation limits that fit it, the extension points of the listener pods, and the combinations the chart refuses.
 */
class ChartSinksTest {
    /** What the jsonl sink keeps without options (JsonLinesSink.DEFAULT_MAX_FILE_BYTES and DEFAULT_MAX_FILES). */
    private static final long SINK_DEFAULT_MAX_FILE_BYTES = 256L * 1024 * 1024;
    private static final long SINK_DEFAULT_MAX_FILES = 10;

    @TempDir
    Path dir;

    private Manifests render(String valuesYaml) {
        return rendering(valuesYaml).manifests();
    }

    private HelmChart.Rendering rendering(String valuesYaml) {
        try {
            Path file = Files.createTempFile(dir, "values", ".yaml");
            Files.writeString(file, valuesYaml);
            return HelmChart.project().render().values(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode listenerSettings(Manifests m) {
        return m.applicationConfig("listener").at("/tsfleet/listener");
    }

    /** The most bytes the jsonl sink keeps on disk with the rendered options: max-file-bytes x (max-files + 1). */
    private static long jsonlFootprint(JsonNode settings) {
        JsonNode options = settings.path("sink-options");
        long fileBytes = bytes(option(options, "max-file-bytes", String.valueOf(SINK_DEFAULT_MAX_FILE_BYTES)));
        long files = Long.parseLong(option(options, "max-files", String.valueOf(SINK_DEFAULT_MAX_FILES)));
        return fileBytes * (files + 1);
    }

    /** The jsonl sink's option as the listener resolves it: jsonl.<name> wins over the bare <name>. */
    private static String option(JsonNode options, String name, String defaultValue) {
        if (options.at("/jsonl").has(name)) return options.at("/jsonl").path(name).asText();
        if (options.has(name)) return options.path(name).asText();
        return defaultValue;
    }

    /** Kubernetes quantities (Ki, Mi, Gi; k, M, G) and the listener's sizes (KB, MB, GB: binary). */
    static long bytes(String size) {
        Matcher m = Pattern.compile("^([0-9]+)(B|KB|MB|GB|TB|Ki|Mi|Gi|Ti|k|M|G|T)?$").matcher(size.trim());
        assertThat(m.matches()).as("a size: %s", size).isTrue();
        long unit = switch (m.group(2) == null ? "" : m.group(2)) {
            case "", "B" -> 1;
            case "k" -> 1000;
            case "M" -> 1000_000;
            case "G" -> 1000_000_000;
            case "T" -> 1000_000_000_000L;
            case "Ki", "KB" -> 1L << 10;
            case "Mi", "MB" -> 1L << 20;
            case "Gi", "GB" -> 1L << 30;
            default -> 1L << 40;
        };
        return Long.parseLong(m.group(1)) * unit;
    }

    private static JsonNode volume(Manifests m, String name) {
        for (JsonNode v : podSpec(m.component("Deployment", "listener")).path("volumes")) {
            if (v.path("name").asText().equals(name)) return v;
        }
        throw new AssertionError("no volume " + name);
    }

    @Nested
    class TheSinkList {
        @Test
        void aListOfSinksAndTheirOptionsReachTheListenerAsTheContractNamesThem() {
            Manifests m = render("""
                    listener:
                      sink: [stdout, "kafka:tsfleet-exits", "otlp:http/protobuf"]
                      sinkOptions:
                        when-slow: drop
                        kafka:
                          bootstrap-servers: k0:9092,k1:9092
                          producer.compression.type: zstd
                          when-slow: block
                        otlp:
                          endpoint: http://collector:4318
                          processes-only: true
                    """);
            JsonNode settings = listenerSettings(m);
            assertThat(settings.path("sink").asText()).isEqualTo("stdout,kafka:tsfleet-exits,otlp:http/protobuf");
            JsonNode options = settings.path("sink-options");
            // tsfleet.listener.sink-options.<option> for every sink, tsfleet.listener.sink-options.<scheme>.<option> for one
            assertThat(options.path("when-slow").asText()).isEqualTo("drop");
            assertThat(options.at("/kafka/bootstrap-servers").asText()).isEqualTo("k0:9092,k1:9092");
            assertThat(options.at("/kafka/producer.compression.type").asText()).isEqualTo("zstd");
            assertThat(options.at("/kafka/when-slow").asText()).isEqualTo("block");
            assertThat(options.at("/otlp/processes-only").asBoolean()).isTrue();
            // no file sink: no volume and no file options
            assertThat(options.has("jsonl")).isFalse();
            assertThat(podSpec(m.component("Deployment", "listener")).path("volumes").findParents("name").stream()
                    .map(v -> v.path("name").asText())).doesNotContain("data");
        }

        @Test
        void aCommaSeparatedStringIsTheSameList() {
            Manifests m = render("""
                    listener:
                      sink: "stdout, otlp"
                    """);
            assertThat(listenerSettings(m).path("sink").asText()).isEqualTo("stdout,otlp");
        }

        @Test
        void theDefaultStaysNoneWithoutOptions() {
            JsonNode settings = listenerSettings(ValueSets.render("defaults"));
            assertThat(settings.path("sink").asText()).isEqualTo("none");
            assertThat(settings.has("sink-options")).isFalse();
        }

        @Test
        void aSchemeTwiceIsRefused() {
            assertThatThrownBy(() -> rendering("listener: {sink: 'stdout,otlp,stdout'}").yaml())
                    .hasMessageContaining("the scheme \"stdout\" is given twice");
        }

        @Test
        void noneWithAnotherSinkIsRefused() {
            assertThatThrownBy(() -> rendering("listener: {sink: [none, stdout]}").yaml())
                    .hasMessageContaining("none throws every record away and cannot be combined");
        }

        @Test
        void kafkaWithoutBootstrapServersOrTopicIsRefused() {
            assertThatThrownBy(() -> rendering("listener: {sink: 'kafka:exits'}").yaml())
                    .hasMessageContaining("kafka:exits needs listener.sinkOptions.kafka.bootstrap-servers");
            assertThatThrownBy(() -> rendering("listener: {sink: kafka, sinkOptions: {kafka: {bootstrap-servers: 'k:9092'}}}").yaml())
                    .hasMessageContaining("kafka needs a topic");
        }

        @Test
        void aJsonlFileWithoutAVolumeIsRefused() {
            // the root file system is read-only: the sink could not open its file and the replica would not start
            assertThatThrownBy(() -> rendering("listener: {sink: 'jsonl:/data/records.jsonl'}").yaml())
                    .hasMessageContaining("jsonl:/data/records.jsonl needs a volume: set listener.sinkVolume.enabled=true");
            assertThatThrownBy(() -> rendering("listener: {sink: 'jsonl:/var/records.jsonl', sinkVolume: {enabled: true}}").yaml())
                    .hasMessageContaining("the jsonl file /var/records.jsonl is outside the sink volume");
            assertThatThrownBy(() -> rendering("listener: {sink: 'jsonl:records.jsonl', sinkVolume: {enabled: true}}").yaml())
                    .hasMessageContaining("jsonl needs an absolute file path");
        }

        @Test
        void aJsonlPathThatCouldLeaveTheSizedVolumeIsRefused() {
            // /data/../tmp is the 256Mi scratch emptyDir: limits derived from /data's size would get the pod evicted there
            for (String path : List.of("/data/../tmp/r.jsonl", "/data/./r.jsonl", "/data/${X:../tmp}/r.jsonl", "/data//r.jsonl", "/data/${HOME}/r.jsonl")) {
                assertThatThrownBy(() -> rendering("listener: {sink: 'jsonl:" + path + "', sinkVolume: {enabled: true}}").yaml())
                        .as(path).hasMessageContaining("must be a plain absolute path");
            }
            assertThat(listenerSettings(render("listener: {sink: 'jsonl:/data/${POD_NAME}/r.jsonl', sinkVolume: {enabled: true}}")).path("sink").asText())
                    .isEqualTo("jsonl:/data/${POD_NAME}/r.jsonl");
        }

        @Test
        void aSinkVolumeOverTheListenersOwnMountsIsRefused() {
            for (String mountPath : List.of("/tmp", "/config", "/var/run/secrets", "/var/run/secrets/tsfleet/x")) {
                assertThatThrownBy(() -> rendering("listener: {sink: 'jsonl:" + mountPath + "/r.jsonl', sinkVolume: {enabled: true, mountPath: " + mountPath + "}}").yaml())
                        .as(mountPath).hasMessageContaining("collides with the listener's own mount");
            }
        }

        @Test
        void bootstrapServersForEverySinkServeKafkaToo() {
            // a bare option applies to every sink, kafka included
            assertThat(listenerSettings(render("listener: {sink: 'kafka:exits', sinkOptions: {bootstrap-servers: 'k:9092'}}")).at("/sink-options/bootstrap-servers").asText())
                    .isEqualTo("k:9092");
        }

        @Test
        void aJsonlFileOnAnExtraVolumeIsTheUsersToSize() {
            Manifests m = render("""
                    listener:
                      sink: jsonl:/spool/records.jsonl
                      extraVolumes: [{name: spool, persistentVolumeClaim: {claimName: my-spool}}]
                      extraVolumeMounts: [{name: spool, mountPath: /spool}]
                    """);
            assertThat(listenerSettings(m).path("sink").asText()).isEqualTo("jsonl:/spool/records.jsonl");
            assertThat(volume(m, "spool").at("/persistentVolumeClaim/claimName").asText()).isEqualTo("my-spool");
        }
    }

    @Nested
    class FileStorage {
        @Test
        void theDefaultEmptyDirHoldsEverythingTheRotationKeepsWithHeadroom() {
            // before: an emptyDir of 1Gi and the sink's own limits, 11 x 256 MiB = 2.75 GiB: the kubelet evicts the pod
            Manifests m = render("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true}
                    """);
            long sizeLimit = bytes(volume(m, "data").at("/emptyDir/sizeLimit").asText());
            assertThat(sizeLimit).isEqualTo(1L << 30);
            JsonNode settings = listenerSettings(m);
            assertThat(settings.path("sink").asText()).as("one pod per emptyDir: the path as given").isEqualTo("jsonl:/data/records.jsonl");
            assertThat(jsonlFootprint(settings) + sizeLimit / 10).isLessThanOrEqualTo(sizeLimit);
            // and not needlessly small: the files use what the volume offers
            assertThat(jsonlFootprint(settings)).isGreaterThan(sizeLimit * 8 / 10);
        }

        @Test
        void theOldSizeLimitValueStillSizesTheVolumeAndTheRotation() {
            Manifests m = ValueSets.render("monitoring-hpa");
            long sizeLimit = bytes(volume(m, "data").at("/emptyDir/sizeLimit").asText());
            assertThat(sizeLimit).isEqualTo(4L << 30);
            assertThat(jsonlFootprint(listenerSettings(m)) + sizeLimit / 10).isLessThanOrEqualTo(sizeLimit);
        }

        @Test
        void aSharedClaimGivesEachPodItsOwnDirectoryAndAShareOfTheClaim() {
            Manifests m = ValueSets.render("sinks-kafka-claim");
            JsonNode claim = m.component("PersistentVolumeClaim", "listener-data");
            assertThat(claim.at("/spec/accessModes").toString()).isEqualTo("[\"ReadWriteMany\"]");
            assertThat(claim.at("/spec/storageClassName").asText()).isEqualTo("nfs-client");
            assertThat(claim.at("/metadata/annotations/helm.sh~1resource-policy").asText()).isEqualTo("keep");
            long size = bytes(claim.at("/spec/resources/requests/storage").asText());
            assertThat(volume(m, "data").at("/persistentVolumeClaim/claimName").asText()).isEqualTo(Manifests.name(claim));

            JsonNode settings = listenerSettings(m);
            // every pod of the Deployment mounts the claim: the file is per pod (POD_NAME from the downward API)
            assertThat(settings.path("sink").asText()).isEqualTo("jsonl:/data/${POD_NAME}/records.jsonl,kafka:tsfleet-exits");
            assertThat(ChartBehaviourTest.fieldRefs(podSpec(m.component("Deployment", "listener")).at("/containers/0/env")))
                    .containsEntry("POD_NAME", "metadata.name");
            // up to maxReplicas (7) pods plus the one a rolling update adds write at once
            long writers = 7 + 1;
            assertThat(jsonlFootprint(settings) + size / writers / 10).isLessThanOrEqualTo(size / writers);
            // the user's own jsonl options stay; kafka's pass through
            assertThat(settings.at("/sink-options/jsonl/when-slow").asText()).isEqualTo("drop");
            assertThat(settings.at("/sink-options/kafka/producer.sasl.jaas.config").asText()).isEqualTo("${KAFKA_JAAS_CONFIG}");
            // the HPA keeps scaling the Deployment
            assertThat(m.component("HorizontalPodAutoscaler", "listener").at("/spec/scaleTargetRef/kind").asText()).isEqualTo("Deployment");
            assertThat(m.ofKind("StatefulSet")).isEmpty();
        }

        @Test
        void anExistingClaimIsUsedAsItIs() {
            Manifests m = render("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true, type: persistentVolumeClaim, size: 20Gi, persistentVolumeClaim: {existingClaim: records}}
                    """);
            assertThat(m.ofKind("PersistentVolumeClaim")).isEmpty();
            assertThat(volume(m, "data").at("/persistentVolumeClaim/claimName").asText()).isEqualTo("records");
            assertThat(listenerSettings(m).path("sink").asText()).isEqualTo("jsonl:/data/${POD_NAME}/records.jsonl");
            long share = (20L << 30) / (3 + 1);
            assertThat(jsonlFootprint(listenerSettings(m)) + share / 10).isLessThanOrEqualTo(share);
        }

        @Test
        void aHostPathIsSharedByThePodsOnANode() {
            Manifests m = ValueSets.render("sinks-otlp-hostpath");
            JsonNode hostPath = volume(m, "data").path("hostPath");
            assertThat(hostPath.path("path").asText()).isEqualTo("/var/lib/taskstats-fleet/records");
            assertThat(hostPath.path("type").asText()).isEqualTo("DirectoryOrCreate");
            JsonNode settings = listenerSettings(m);
            assertThat(settings.path("sink").asText()).isEqualTo("otlp:grpc,jsonl:/records/${POD_NAME}/exits.jsonl");
            // all 4 replicas and a surge pod may land on one node
            long share = (50L << 30) / (4 + 1);
            assertThat(jsonlFootprint(settings) + share / 10).isLessThanOrEqualTo(share);
            JsonNode mounts = podSpec(m.component("Deployment", "listener")).at("/containers/0/volumeMounts");
            assertThat(mounts.findParents("mountPath").stream().filter(v -> v.path("name").asText().equals("data")))
                    .singleElement().satisfies(v -> assertThat(v.path("mountPath").asText()).isEqualTo("/records"));
        }

        @Test
        void givenLimitsThatFitAreKept() {
            Manifests m = render("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true, size: 4Gi}
                      sinkOptions: {jsonl: {max-file-bytes: 256MB, max-files: 4}}
                    """);
            JsonNode jsonl = listenerSettings(m).at("/sink-options/jsonl");
            assertThat(bytes(jsonl.path("max-file-bytes").asText())).isEqualTo(256L << 20);
            assertThat(jsonl.path("max-files").asText()).isEqualTo("4");
        }

        @Test
        void limitsLargerThanTheVolumeAreRefused() {
            // the sink's defaults written out: 11 x 256 MiB on the 1Gi default
            assertThatThrownBy(() -> rendering("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true}
                      sinkOptions: {max-file-bytes: 256MB}
                    """).yaml()).hasMessageContaining("jsonl keeps up to max-file-bytes x (max-files + 1) = 256MB x 11 = 2952790016 bytes per replica")
                    .hasMessageContaining("1Gi (listener.sinkVolume.size)");
            // the same through listener.config, which the listener reads as well
            assertThatThrownBy(() -> rendering("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true, size: 2Gi}
                      config: {tsfleet: {listener: {sink-options: {jsonl: {max-file-bytes: 512MB, max-files: 3}}}}}
                    """).yaml()).hasMessageContaining("512MB x 4");
            // a claim shared by 11 pods (maxReplicas 10 + 1) leaves less than 1 MiB a file
            assertThatThrownBy(() -> rendering("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      scaling: {mode: hpa, maxReplicas: 10}
                      sinkVolume: {enabled: true, type: persistentVolumeClaim, size: 100Mi}
                    """).yaml()).hasMessageContaining("listener.sinkVolume.size 100Mi is too small: shared by 11 replicas");
        }

        @Test
        void aClaimThatCannotBeSharedIsRefused() {
            assertThatThrownBy(() -> rendering("""
                    listener:
                      sink: jsonl:/data/records.jsonl
                      sinkVolume: {enabled: true, type: persistentVolumeClaim, persistentVolumeClaim: {accessModes: [ReadWriteOnce]}}
                    """).yaml()).hasMessageContaining("which needs ReadWriteMany");
        }
    }

    @Nested
    class ExtensionPoints {
        @Test
        void extraEnvVolumesMountsSidecarsAndInitContainersAreRenderedWithTpl() {
            Manifests m = render("""
                    listener:
                      sink: otlp
                      extraEnv:
                        - name: OTEL_EXPORTER_OTLP_ENDPOINT
                          value: "http://{{ .Release.Name }}-collector:4317"
                      extraEnvFrom:
                        - secretRef: {name: "{{ .Release.Name }}-otlp"}
                      extraVolumes:
                        - name: ca
                          secret: {secretName: collector-ca}
                      extraVolumeMounts:
                        - {name: ca, mountPath: /etc/collector-ca, readOnly: true}
                      sidecars: |
                        - name: debug-{{ .Release.Name }}
                          image: busybox
                      initContainers:
                        - name: wait-for-collector
                          image: busybox
                          args: ["{{ .Release.Namespace }}"]
                    """);
            JsonNode pod = podSpec(m.component("Deployment", "listener"));
            JsonNode env = pod.at("/containers/0/env");
            List<String> names = new ArrayList<>(env.findValuesAsText("name"));
            assertThat(names).contains("POD_NAME", "TOKEN_BROKER", "OTEL_EXPORTER_OTLP_ENDPOINT");
            assertThat(env.findParents("name").stream().filter(e -> e.path("name").asText().equals("OTEL_EXPORTER_OTLP_ENDPOINT")))
                    .singleElement().satisfies(e -> assertThat(e.path("value").asText()).isEqualTo("http://fleet-collector:4317"));
            assertThat(pod.at("/containers/0/envFrom/0/secretRef/name").asText()).isEqualTo("fleet-otlp");
            assertThat(volume(m, "ca").at("/secret/secretName").asText()).isEqualTo("collector-ca");
            assertThat(pod.at("/containers/0/volumeMounts").findParents("mountPath").stream().filter(v -> v.path("name").asText().equals("ca")))
                    .singleElement().satisfies(v -> {
                        assertThat(v.path("mountPath").asText()).isEqualTo("/etc/collector-ca");
                        assertThat(v.path("readOnly").asBoolean()).isTrue();
                    });
            assertThat(pod.path("containers")).hasSize(2);
            assertThat(pod.at("/containers/0/name").asText()).isEqualTo("listener");
            assertThat(pod.at("/containers/1/name").asText()).isEqualTo("debug-fleet");
            assertThat(pod.at("/initContainers/0/args/0").asText()).isEqualTo(HelmChart.NAMESPACE);
        }

        @Test
        void nothingExtraByDefault() {
            JsonNode pod = podSpec(ValueSets.render("defaults").component("Deployment", "listener"));
            assertThat(pod.path("containers")).hasSize(1);
            assertThat(pod.has("initContainers")).isFalse();
            assertThat(pod.at("/containers/0").has("envFrom")).isFalse();
            List<String> volumes = new ArrayList<>();
            pod.path("volumes").forEach(v -> volumes.add(v.path("name").asText()));
            assertThat(volumes).containsExactly("config", "tmp", "coordinator-token");
        }
    }

    @Test
    void theExampleValueSetsNameTheirDestinations() {
        Map<String, String> sinks = Map.of("sinks-kafka-claim", "kafka:tsfleet-exits", "sinks-otlp-hostpath", "otlp:grpc");
        sinks.forEach((valueSet, sink) -> assertThat(listenerSettings(ValueSets.render(valueSet)).path("sink").asText()).contains(sink));
        JsonNode env = podSpec(ValueSets.render("sinks-otlp-hostpath").component("Deployment", "listener")).at("/containers/0/env");
        assertThat(env.findValuesAsText("name")).contains("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_HEADERS");
        assertThat(env.findParents("name").stream().filter(e -> e.path("name").asText().equals("OTEL_RESOURCE_ATTRIBUTES")))
                .singleElement().satisfies(e -> assertThat(e.path("value").asText()).endsWith("tsfleet.fleet=" + HelmChart.RELEASE));
    }
}
