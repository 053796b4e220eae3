package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The kafka sink against a real Apache Kafka broker (KRaft, one combined node, in this JVM, on ephemeral ports). */
class KafkaSinkTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final RecordOrigin WORKER = RecordOrigin.of("worker-1", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
    private static KafkaClusterTestKit cluster;

    @BeforeAll
    static void startBroker() throws Exception {
        for (String name : List.of("org.apache.kafka", "kafka")) {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(name)).setLevel(ch.qos.logback.classic.Level.WARN);
        }
        cluster = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("num.partitions", "3")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        if (cluster != null) cluster.close();
    }

    /** Outcomes as the replica would count them: written in total, failed per (node, CPU). */
    static final class CountingOutcomes implements SinkOutcomes {
        final AtomicLong written = new AtomicLong();
        final Map<String, AtomicLong> failed = new ConcurrentHashMap<>();

        @Override
        public void written(long records) {
            written.addAndGet(records);
        }

        @Override
        public void failed(RecordOrigin origin, int cpu, long records) {
            failed.computeIfAbsent((origin == null ? "?" : origin.node()) + "/" + cpu, k -> new AtomicLong()).addAndGet(records);
        }

        long failedTotal() {
            return failed.values().stream().mapToLong(AtomicLong::get).sum();
        }
    }

    private static RecordSink open(String topic, Map<String, String> options, SinkOutcomes outcomes) throws IOException {
        return new RecordSinkFactory(List.of()).open("kafka:" + topic, new SinkContext("replica-k", options, outcomes));
    }

    private static void createTopic(KafkaClusterTestKit kit, String name, int partitions) throws Exception {
        try (Admin admin = kit.admin()) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get();
        }
    }

    private static ExitRecordView record(int cpu, int seq, RecordOrigin origin) {
        return JsonLinesSinkTest.record(cpu, seq, 1000 + seq, "sh", seq % 7 == 0, origin);
    }

    private static List<ConsumerRecord<byte[], byte[]>> readAll(String topic, int expected) {
        Map<String, Object> config = Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, cluster.bootstrapServers());
        List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = c.partitionsFor(topic).stream().map(p -> new TopicPartition(topic, p.partition())).toList();
            c.assign(partitions);
            c.seekToBeginning(partitions);
            long end = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (out.size() < expected && System.nanoTime() < end) c.poll(Duration.ofMillis(200)).forEach(out::add);
            c.poll(Duration.ofMillis(300)).forEach(out::add); // nothing more than expected
        }
        return out;
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    @Test
    void everyRecordArrivesOnceWithItsKeyHeadersAndJsonAndCountsAsWrittenWhenAcknowledged() throws Exception {
        createTopic(cluster, "exits-ok", 3);
        CountingOutcomes outcomes = new CountingOutcomes();
        int perCpu = 200;
        try (RecordSink sink = open("exits-ok", Map.of("bootstrap-servers", cluster.bootstrapServers()), outcomes)) {
            assertThat(sink.confirmsAsynchronously()).isTrue();
            assertThat(sink.describe()).startsWith("kafka:exits-ok");
            for (int seq = 1; seq <= perCpu; seq++) {
                for (int cpu = 0; cpu < 4; cpu++) {
                    ExitRecordView v = record(cpu, seq, cpu == 3 ? RecordOrigin.UNKNOWN : WORKER);
                    v.timeEpochNanos(1_780_000_000_123_456_789L + seq);
                    sink.write(v);
                }
            }
            sink.flush();
            await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.written.get() == 4L * perCpu);
        }
        assertThat(outcomes.written.get()).isEqualTo(4L * perCpu);
        assertThat(outcomes.failed).isEmpty();

        List<ConsumerRecord<byte[], byte[]>> got = readAll("exits-ok", 4 * perCpu);
        assertThat(got).hasSize(4 * perCpu);
        Map<String, Long> lastSeqByKey = new HashMap<>();
        Map<String, Integer> partitionByKey = new HashMap<>();
        for (ConsumerRecord<byte[], byte[]> r : got) {
            String key = new String(r.key(), StandardCharsets.UTF_8);
            JsonNode json = JSON.readTree(r.value());
            int cpu = json.get("cpu").asInt();
            long seq = json.get("seq").asLong();
            assertThat(r.value()[r.value().length - 1]).as("no newline").isEqualTo((byte) '}');
            assertThat(json.get("replica").asString()).isEqualTo("replica-k");
            assertThat(header(r, "seq")).isEqualTo(Long.toString(seq));
            assertThat(header(r, "cpu")).isEqualTo(Integer.toString(cpu));
            assertThat(r.timestamp()).isEqualTo((1_780_000_000_123_456_789L + seq) / 1_000_000);
            if (cpu == 3) {
                assertThat(key).isEqualTo("//3");
                assertThat(header(r, "node")).isNull();
                assertThat(header(r, "boot_id")).isNull();
                assertThat(json.get("node").isNull()).isTrue();
            } else {
                assertThat(key).isEqualTo("worker-1/6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b/" + cpu);
                assertThat(header(r, "node")).isEqualTo("worker-1");
                assertThat(header(r, "boot_id")).isEqualTo("6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
                assertThat(json.get("node").asString()).isEqualTo("worker-1");
            }
            // one CPU's records in one partition, in order, each once
            assertThat(partitionByKey.computeIfAbsent(key, k -> r.partition())).isEqualTo(r.partition());
            Long last = lastSeqByKey.put(key, seq);
            assertThat(seq).isEqualTo(last == null ? 1 : last + 1);
        }
        assertThat(lastSeqByKey.values()).containsOnly((long) perCpu);
    }

    @Test
    void recordsTheBrokersNeverTakeAreCountedAsFailedOnTheirCpuExactlyOnce() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        CountingOutcomes outcomes = new CountingOutcomes();
        Map<String, String> options = Map.of("bootstrap-servers", "127.0.0.1:" + deadPort,
                "producer.max.block.ms", "300", "producer.delivery.timeout.ms", "1000", "producer.request.timeout.ms", "500",
                "producer.linger.ms", "0", "close-timeout", "200ms");
        try (RecordSink sink = open("exits-nowhere", options, outcomes)) {
            sink.write(record(2, 1, WORKER));
            sink.write(record(2, 2, WORKER));
            sink.write(record(5, 1, WORKER));
            await().atMost(Duration.ofSeconds(10)).until(() -> outcomes.failedTotal() == 3);
        }
        assertThat(outcomes.written.get()).isZero();
        assertThat(outcomes.failed).containsOnlyKeys("worker-1/2", "worker-1/5");
        assertThat(outcomes.failed.get("worker-1/2").get()).isEqualTo(2);
        assertThat(outcomes.failed.get("worker-1/5").get()).isEqualTo(1);
    }

    @Test
    void recordsSentAfterTheBrokerWentAwayFailOnTheirCpuOnceTheProducerGivesUp() throws Exception {
        // a broker of its own, stopped in the middle: the producer either still knows the partition's leader, takes the
        // records and retries them until delivery.timeout.ms, or has dropped the leader and waits max.block.ms for it
        KafkaClusterTestKit own = new KafkaClusterTestKit.Builder(new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1)
                .setNumControllerNodes(1).build()).setConfigProp("offsets.topic.replication.factor", "1").build();
        CountingOutcomes outcomes = new CountingOutcomes();
        try {
            own.format();
            own.startup();
            own.waitForReadyBrokers();
            createTopic(own, "exits-gone", 1);
            Map<String, String> options = Map.of("bootstrap-servers", own.bootstrapServers(), "producer.linger.ms", "0",
                    "producer.max.block.ms", "1500",
                    "producer.request.timeout.ms", "1000", "producer.delivery.timeout.ms", "2000", "close-timeout", "100ms");
            try (RecordSink sink = open("exits-gone", options, outcomes)) {
                sink.write(record(6, 1, WORKER));
                await().atMost(Duration.ofSeconds(30)).until(() -> outcomes.written.get() == 1);
                own.close();
                own = null;
                sink.write(record(6, 2, WORKER));
                sink.write(record(6, 3, WORKER));
                sink.write(record(9, 1, WORKER));
                await().atMost(Duration.ofSeconds(20)).until(() -> outcomes.failedTotal() == 3);
            }
        } finally {
            if (own != null) own.close();
        }
        assertThat(outcomes.written.get()).isEqualTo(1);
        assertThat(outcomes.failed).containsOnlyKeys("worker-1/6", "worker-1/9");
        assertThat(outcomes.failed.get("worker-1/6").get()).isEqualTo(2);
        assertThat(outcomes.failed.get("worker-1/9").get()).isEqualTo(1);
    }

    @Test
    void whatIsUnconfirmedAtCloseIsCountedAsFailedAndNothingTwice() throws Exception {
        // the client's own MockProducer (no broker): it confirms only what the test says, so close meets records in flight
        MockProducer<byte[], byte[]> producer = new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
        CountingOutcomes outcomes = new CountingOutcomes();
        KafkaSink sink = new KafkaSink(producer, "exits-mock", "replica-k", outcomes, Duration.ofMillis(100), "mock");
        for (int seq = 1; seq <= 3; seq++) sink.write(record(1, seq, WORKER));
        sink.write(record(4, 1, WORKER));
        sink.write(record(4, 2, WORKER));
        assertThat(producer.completeNext()).isTrue(); // cpu 1 seq 1 acknowledged
        assertThat(producer.errorNext(new org.apache.kafka.common.errors.TimeoutException("delivery.timeout.ms"))).isTrue(); // cpu 1 seq 2
        assertThat(sink.unconfirmedRecords()).isEqualTo(3);
        sink.close();
        assertThat(outcomes.written.get()).isEqualTo(1);
        assertThat(outcomes.failed.get("worker-1/1").get()).isEqualTo(2); // one failed by the producer, one unconfirmed
        assertThat(outcomes.failed.get("worker-1/4").get()).isEqualTo(2);
        // a callback that comes after close does not count its record again
        assertThat(producer.completeNext()).as("the mock still holds the record").isTrue();
        assertThat(outcomes.written.get()).isEqualTo(1);
        assertThat(sink.unconfirmedRecords()).isZero();
        assertThatThrownBy(() -> sink.write(record(1, 9, WORKER))).isInstanceOf(IOException.class).hasMessageContaining("closed");
        assertThat(outcomes.written.get() + outcomes.failedTotal()).isEqualTo(5);
    }

    @Test
    void aSendThatThrowsIsNotAcceptedAndNotReported() throws Exception {
        MockProducer<byte[], byte[]> producer = new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
        CountingOutcomes outcomes = new CountingOutcomes();
        KafkaSink sink = new KafkaSink(producer, "exits-mock", "replica-k", outcomes, Duration.ofMillis(100), "mock");
        sink.write(record(1, 1, WORKER));
        producer.sendException = new org.apache.kafka.common.errors.SerializationException("cannot serialize");
        assertThatThrownBy(() -> sink.write(record(1, 2, WORKER))).isInstanceOf(IOException.class).hasMessageContaining("CPU 1");
        sink.close();
        assertThat(outcomes.written.get()).isEqualTo(1);
        assertThat(outcomes.failed).as("the pipeline counts the throwing write, the sink must not count it again").isEmpty();
    }

    @Test
    void closeWaitsForOutstandingAcknowledgementsWithinItsTimeout() throws Exception {
        createTopic(cluster, "exits-close", 1);
        CountingOutcomes outcomes = new CountingOutcomes();
        RecordSink sink = open("exits-close", Map.of("bootstrap-servers", cluster.bootstrapServers(), "producer.linger.ms", "2000",
                "close-timeout", "10s"), outcomes);
        for (int seq = 1; seq <= 50; seq++) sink.write(record(0, seq, WORKER));
        sink.close(); // linger.ms=2000 holds them back: close must send them and wait for the acknowledgements
        assertThat(outcomes.written.get()).isEqualTo(50);
        assertThat(outcomes.failed).isEmpty();
        assertThat(readAll("exits-close", 50)).hasSize(50);
    }

    @Test
    void badSettingsAreRefusedWithAClearMessage() {
        String servers = cluster.bootstrapServers();
        assertThatThrownBy(() -> open("t", Map.of(), SinkOutcomes.IGNORED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bootstrap-servers");
        assertThatThrownBy(() -> new RecordSinkFactory(List.of()).open("kafka:", new SinkContext("r", Map.of("bootstrap-servers", servers))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a topic");
        assertThatThrownBy(() -> open("no/slash", Map.of("bootstrap-servers", servers), SinkOutcomes.IGNORED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a Kafka topic name");
        assertThatThrownBy(() -> open("t", Map.of("bootstrap-servers", servers, "producer.acks", "banana"), SinkOutcomes.IGNORED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("producer settings").hasMessageContaining("acks");
        assertThatThrownBy(() -> open("t", Map.of("bootstrap-servers", servers, "producer.value.serializer", "x.Y"), SinkOutcomes.IGNORED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("producer.value.serializer");
        assertThatThrownBy(() -> open("t", Map.of("bootstrap-servers", servers, "close-timeout", "soon"), SinkOutcomes.IGNORED))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("close-timeout");
    }

    @Test
    void producerOptionsPassThroughAndWinOverTheDefaults() {
        Map<String, Object> config = KafkaSinkProvider.producerConfig(new SinkContext("r1", Map.of("producer.acks", "1",
                "producer.compression.type", "lz4", "max-file-bytes", "1MB", "close-timeout", "1s")), "b:9092");
        assertThat(config).containsEntry("acks", "1").containsEntry("compression.type", "lz4").containsEntry("enable.idempotence", "true")
                .containsEntry("client.id", "tsfleet-r1").containsEntry("bootstrap.servers", "b:9092")
                .doesNotContainKeys("max-file-bytes", "close-timeout", "file-bytes");
        assertThat(Set.copyOf(KafkaSinkProvider.producerConfig(new SinkContext("r1", Map.of()), "b:9092").keySet()))
                .containsExactlyInAnyOrder("acks", "enable.idempotence", "client.id", "bootstrap.servers");
    }
}
