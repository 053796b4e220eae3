package io.tsfleet.listener.sink;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code kafka:<topic>}: a {@link KafkaSink} with its own idempotent producer. Options (of this sink,
 * {@code tsfleet.listener.sink-options.kafka.*}): {@code bootstrap-servers} (required), {@code close-timeout} (how long
 * {@code close} waits for outstanding acknowledgements, default {@value #DEFAULT_CLOSE_TIMEOUT_SECONDS}s), and
 * {@code producer.<name>}: any Kafka producer setting, passed through without the prefix; those win over the sink's
 * defaults ({@code enable.idempotence=true}, {@code acks=all}, {@code client.id=tsfleet-<replica>}). Keys and values are
 * always bytes (a {@code producer.key.serializer} or {@code producer.value.serializer} is refused).
 */
public final class KafkaSinkProvider implements RecordSinkProvider {
    public static final long DEFAULT_CLOSE_TIMEOUT_SECONDS = 5;
    /** What Kafka accepts as a topic name. */
    private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");
    private static final String PRODUCER_PREFIX = "producer.";

    @Override
    public String scheme() {
        return "kafka";
    }

    @Override
    public RecordSink open(String argument, SinkContext context) {
        String topic = argument.trim();
        if (topic.isEmpty()) throw new IllegalArgumentException("sink 'kafka' needs a topic: kafka:<topic>");
        if (!TOPIC.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException("sink 'kafka': '" + topic + "' is not a Kafka topic name (1 to 249 of a-z A-Z 0-9 . _ -)");
        }
        String bootstrap = context.stringOption("bootstrap-servers", "");
        if (bootstrap.isEmpty()) {
            throw new IllegalArgumentException("sink 'kafka' needs the option bootstrap-servers "
                    + "(tsfleet.listener.sink-options.kafka.bootstrap-servers=host:9092,...)");
        }
        Duration closeTimeout = context.durationOption("close-timeout", Duration.ofSeconds(DEFAULT_CLOSE_TIMEOUT_SECONDS), Duration.ZERO);
        Map<String, Object> config = producerConfig(context, bootstrap);
        KafkaProducer<byte[], byte[]> producer;
        try {
            producer = new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
        } catch (KafkaException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalArgumentException("sink 'kafka': the producer settings are not valid: " + cause.getMessage(), e);
        }
        return new KafkaSink(producer, topic, context.replicaId(), context.outcomes(), closeTimeout, bootstrap);
    }

    /** Our defaults, then every {@code producer.*} option (which win), then the bootstrap servers. */
    static Map<String, Object> producerConfig(SinkContext context, String bootstrap) {
        Map<String, Object> config = new HashMap<>();
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.CLIENT_ID_CONFIG, "tsfleet-" + context.replicaId());
        context.options().forEach((name, value) -> {
            if (!name.startsWith(PRODUCER_PREFIX)) return;
            String key = name.substring(PRODUCER_PREFIX.length());
            if (key.equals(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG) || key.equals(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG)) {
                throw new IllegalArgumentException("sink 'kafka': option " + name + " cannot be set: keys and values are bytes");
            }
            if (key.equals(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG)) {
                throw new IllegalArgumentException("sink 'kafka': set bootstrap-servers, not " + name);
            }
            config.put(key, value.trim());
        });
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        return config;
    }
}
