package io.tsfleet.systemtests;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import tools.jackson.databind.JsonNode;
import io.tsfleet.testing.Http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The records of one topic as the test JVM reads them back (a plain consumer, no group, from the first offset), kept
 * in the order of each partition. Every record is checked against what the kafka sink promises: its key is
 * {@code <node>/<boot_id>/<cpu>} of its own JSON, its headers {@code seq}, {@code cpu}, {@code node} and
 * {@code boot_id} say the same as its JSON, and a key always lands in the same partition; what does not is collected
 * in {@link #inconsistencies()}.
 */
final class KafkaTopicRecords implements AutoCloseable {
    /** One exit as the topic holds it. */
    record Exit(String node, String bootId, int cpu, long seq, String replica, int partition, long offset) {
        String origin() {
            return node + "/" + bootId;
        }
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<Exit> exits = new ArrayList<>();
    private final List<String> inconsistencies = new ArrayList<>();
    private final Map<String, Integer> partitionOfKey = new HashMap<>();

    KafkaTopicRecords(String bootstrap, String topic) {
        this.consumer = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 5000), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic, Duration.ofSeconds(30)).stream()
                .map(p -> new TopicPartition(topic, p.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads until the end of every partition has been reached and nothing new came for {@code quiet}. */
    void catchUp(Duration quiet, Duration atMost) {
        long deadline = System.nanoTime() + atMost.toNanos();
        long lastNew = System.nanoTime();
        while (System.nanoTime() < deadline) {
            int n = 0;
            for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
                add(r);
                n++;
            }
            if (n > 0) lastNew = System.nanoTime();
            else if (System.nanoTime() - lastNew > quiet.toNanos() && atEnd()) return;
        }
        throw new AssertionError("the topic did not go quiet within " + atMost);
    }

    private boolean atEnd() {
        Map<TopicPartition, Long> end = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(10));
        return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey(), Duration.ofSeconds(10)) >= e.getValue());
    }

    private void add(ConsumerRecord<byte[], byte[]> r) {
        JsonNode json = Http.JSON.readTree(r.value());
        String node = json.get("node").isNull() ? null : json.get("node").asString();
        String bootId = json.get("boot_id").isNull() ? null : json.get("boot_id").asString();
        int cpu = json.get("cpu").asInt();
        long seq = json.get("seq").asLong();
        Exit e = new Exit(node, bootId, cpu, seq, json.get("replica").asString(), r.partition(), r.offset());
        exits.add(e);
        String key = new String(r.key(), StandardCharsets.UTF_8);
        String expectedKey = Objects.toString(node, "") + "/" + Objects.toString(bootId, "") + "/" + cpu;
        if (!key.equals(expectedKey)) inconsistencies.add("key " + key + " of " + e);
        if (!Long.toString(seq).equals(header(r, "seq"))) inconsistencies.add("header seq " + header(r, "seq") + " of " + e);
        if (!Integer.toString(cpu).equals(header(r, "cpu"))) inconsistencies.add("header cpu " + header(r, "cpu") + " of " + e);
        if (!Objects.equals(node, header(r, "node"))) inconsistencies.add("header node " + header(r, "node") + " of " + e);
        if (!Objects.equals(bootId, header(r, "boot_id"))) inconsistencies.add("header boot_id " + header(r, "boot_id") + " of " + e);
        Integer p = partitionOfKey.putIfAbsent(key, r.partition());
        if (p != null && p != r.partition()) inconsistencies.add("key " + key + " in partitions " + p + " and " + r.partition());
    }

    private static String header(ConsumerRecord<?, ?> r, String name) {
        Header h = r.headers().lastHeader(name);
        return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
    }

    /** Every record read so far, each partition in offset order. */
    List<Exit> exits() {
        return List.copyOf(exits);
    }

    List<String> inconsistencies() {
        return List.copyOf(inconsistencies);
    }

    @Override
    public void close() {
        consumer.close(Duration.ofSeconds(5));
    }
}
