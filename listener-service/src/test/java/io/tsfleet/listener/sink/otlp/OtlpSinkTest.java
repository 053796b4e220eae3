package io.tsfleet.listener.sink.otlp;

import io.grpc.Status;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.opentelemetry.proto.logs.v1.ResourceLogs;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.RecordSinkFactory;
import io.tsfleet.listener.sink.SinkContext;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;

import static io.tsfleet.listener.sink.otlp.ExitRecords.WORKER_1;
import static io.tsfleet.listener.sink.otlp.ExitRecords.WORKER_2;
import static io.tsfleet.listener.sink.otlp.ExitRecords.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The OTLP sink against receivers that decode the official OTLP protobuf ({@code opentelemetry-proto}): over HTTP
 * ({@link HttpOtlpReceiver}) and gRPC ({@link GrpcOtlpReceiver}), through the SDK's real exporter. Every accepted record
 * must come back once through the outcomes: written when the receiver took it, failed (per node and CPU) otherwise.
 */
@Timeout(60)
class OtlpSinkTest {
    private static final Instant NOW = Instant.parse("2026-12-06T12:00:00Z");
    private final List<AutoCloseable> toClose = new ArrayList<>();
    private final RecordingOutcomes outcomes = new RecordingOutcomes();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    private HttpOtlpReceiver httpReceiver() throws IOException {
        HttpOtlpReceiver r = new HttpOtlpReceiver();
        toClose.add(r);
        return r;
    }

    private OtlpSink open(String argument, Map<String, String> env, Map<String, String> options) throws IOException {
        Map<String, String> o = new HashMap<>(Map.of("schedule-delay", "20ms"));
        o.putAll(options);
        RecordSink sink = new OtlpSinkProvider(env, Clock.fixed(NOW, ZoneOffset.UTC)).open(argument, new SinkContext("replica-a", o, outcomes));
        return (OtlpSink) sink;
    }

    private static Map<String, AnyValue> attributes(List<KeyValue> kvs) {
        return kvs.stream().collect(Collectors.toMap(KeyValue::getKey, KeyValue::getValue));
    }

    @Test
    void oneLogRecordPerExitWithTheFieldsAsAttributesAndTheExitTimeAsTimestamp() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        OtlpSink sink = open("http/protobuf", Map.of(), Map.of("endpoint", receiver.baseUrl()));
        assertThat(sink.confirmsAsynchronously()).isTrue();
        long t = 1_796_558_100_123_456_789L;
        sink.write(record(2, 0xFFFF_FFFFL, 321, "sh", false, RecordOrigin.UNKNOWN, t));
        sink.write(record(3, 41, 400, "java", true, WORKER_1, t + 1));
        sink.write(record(3, 42, 401, "unknown-time", false, WORKER_1, 0));
        sink.close();

        assertThat(receiver.requests()).isNotEmpty().allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).as("a base URL gets the logs path").isEqualTo("/v1/logs");
            assertThat(r.header("Content-Type")).isEqualTo("application/x-protobuf");
        });
        ResourceLogs rl = receiver.requests().getFirst().body().getResourceLogs(0);
        Map<String, AnyValue> resource = attributes(rl.getResource().getAttributesList());
        assertThat(resource.get("service.name").getStringValue()).isEqualTo("taskstats-fleet-listener");
        assertThat(resource.get("service.instance.id").getStringValue()).isEqualTo("replica-a");
        assertThat(rl.getScopeLogs(0).getScope().getName()).isEqualTo("io.tsfleet.listener.sink.otlp");

        List<LogRecord> logs = receiver.logRecords();
        assertThat(logs).hasSize(3);
        LogRecord a = logs.get(0);
        assertThat(a.getTimeUnixNano()).isEqualTo(t);
        assertThat(a.getObservedTimeUnixNano()).isEqualTo(t);
        assertThat(a.getBody().getStringValue()).isEqualTo("sh");
        assertThat(a.getEventName()).isEqualTo("taskstats.exit");
        Map<String, AnyValue> at = attributes(a.getAttributesList());
        assertThat(at.get("taskstats.cpu").getIntValue()).isEqualTo(2);
        assertThat(at.get("taskstats.seq").getIntValue()).isEqualTo(0xFFFF_FFFFL);
        assertThat(at.get("taskstats.pid").getIntValue()).isEqualTo(321);
        assertThat(at.get("taskstats.tgid").getIntValue()).isEqualTo(321);
        assertThat(at.get("taskstats.comm").getStringValue()).isEqualTo("sh");
        assertThat(at.get("taskstats.exitcode").getIntValue()).isEqualTo(9);
        assertThat(at.get("taskstats.replica").getStringValue()).isEqualTo("replica-a");
        assertThat(at.get("taskstats.scope").getStringValue()).isEqualTo("process");
        assertThat(at).as("a broker that named neither node nor boot").doesNotContainKeys("taskstats.node", "taskstats.boot_id");
        for (TaskstatsField f : TaskstatsField.values()) assertThat(at).as(f.cName()).containsKey("taskstats.stats." + f.cName());
        assertThat(at.get("taskstats.stats.blkio_delay_total").getIntValue()).isEqualTo(12345);
        assertThat(at.get("taskstats.stats.cpu_delay_total").getStringValue()).as("a u64 above 2^63-1").isEqualTo("18446744073709551615");
        assertThat(at.get("taskstats.stats.ac_comm").getStringValue()).isEqualTo("sh");
        assertThat(at.get("taskstats.stats.ac_pad").getArrayValue().getValuesCount()).isEqualTo(3);
        assertThat(at.get("taskstats.stats.version").getIntValue()).isEqualTo(16);
        assertThat(at.keySet()).noneMatch(k -> k.startsWith("taskstats.tgid_stats."));

        LogRecord b = logs.get(1);
        assertThat(b.getTimeUnixNano()).isEqualTo(t + 1);
        Map<String, AnyValue> bt = attributes(b.getAttributesList());
        assertThat(bt.get("taskstats.scope").getStringValue()).isEqualTo("group");
        assertThat(bt.get("taskstats.node").getStringValue()).isEqualTo("worker-1");
        assertThat(bt.get("taskstats.boot_id").getStringValue()).isEqualTo(WORKER_1.bootId());
        assertThat(bt.get("taskstats.tgid_stats.cpu_count").getIntValue()).isEqualTo(3);
        assertThat(bt.get("taskstats.tgid_stats.ac_comm").getStringValue()).isEqualTo("java");
        for (TaskstatsField f : TaskstatsField.values()) assertThat(bt).containsKey("taskstats.tgid_stats." + f.cName());

        LogRecord c = logs.get(2);
        assertThat(c.getTimeUnixNano()).as("exit time unknown").isZero();
        assertThat(c.getObservedTimeUnixNano()).as("observed now, by the injected clock").isEqualTo(NOW.getEpochSecond() * 1_000_000_000L);

        assertThat(outcomes.written()).isEqualTo(3);
        assertThat(outcomes.failedPerCpu()).isEmpty();
        assertThat(sink.accepted()).isEqualTo(3);
    }

    @Test
    void theStandardEnvironmentVariablesNameTheEndpointTheHeadersAndTheCompression() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        OtlpSink sink = open("", Map.of(
                "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl() + "/collector",
                "OTEL_EXPORTER_OTLP_HEADERS", "authorization=Bearer%20s3cret,x-tenant=generic",
                "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-tenant=logs",
                "OTEL_EXPORTER_OTLP_COMPRESSION", "gzip",
                "OTEL_SERVICE_NAME", "exits-eu",
                "OTEL_RESOURCE_ATTRIBUTES", "deployment.environment.name=prod"), Map.of());
        assertThat(sink.describe()).isEqualTo("otlp:http/protobuf " + receiver.baseUrl() + "/collector/v1/logs");
        sink.write(record(1, 7, WORKER_1));
        sink.close();

        HttpOtlpReceiver.Request r = receiver.requests().getFirst();
        assertThat(r.path()).as("OTEL_EXPORTER_OTLP_ENDPOINT is a base: v1/logs is appended").isEqualTo("/collector/v1/logs");
        assertThat(r.header("authorization")).isEqualTo("Bearer s3cret");
        assertThat(r.header("x-tenant")).as("the LOGS_ variable wins for a header of both").isEqualTo("logs");
        assertThat(r.header("Content-Encoding")).isEqualTo("gzip");
        Map<String, AnyValue> resource = attributes(r.body().getResourceLogs(0).getResource().getAttributesList());
        assertThat(resource.get("service.name").getStringValue()).isEqualTo("exits-eu");
        assertThat(resource.get("deployment.environment.name").getStringValue()).isEqualTo("prod");
        assertThat(receiver.logRecords()).hasSize(1);
        assertThat(outcomes.written()).isEqualTo(1);
    }

    @Test
    void theLogsEndpointVariableIsUsedAsItIsAndTheOptionsWinOverTheEnvironment() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        Map<String, String> env = Map.of("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", receiver.baseUrl() + "/custom/logs",
                "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:9/unused", "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "x-tenant=env,x-env=1");
        OtlpSink byEnv = open("http/protobuf", env, Map.of());
        byEnv.write(record(1, 1, WORKER_1));
        byEnv.close();
        assertThat(receiver.requests()).extracting(HttpOtlpReceiver.Request::path).containsExactly("/custom/logs");

        OtlpSink byOption = open("http/protobuf", env, Map.of("endpoint", receiver.baseUrl() + "/opt/v1/logs", "headers", "x-tenant=option"));
        byOption.write(record(1, 2, WORKER_1));
        byOption.close();
        HttpOtlpReceiver.Request r = receiver.requests().get(1);
        assertThat(r.path()).isEqualTo("/opt/v1/logs");
        assertThat(r.header("x-tenant")).isEqualTo("option");
        assertThat(r.header("x-env")).as("headers merge by name").isEqualTo("1");
        assertThat(outcomes.written()).isEqualTo(2);
    }

    @Test
    void aReceiverAnswering503GivesEveryRecordAsFailedPerNodeAndCpu() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        receiver.answerWith(503);
        OtlpSink sink = open("http/protobuf", Map.of(), Map.of("endpoint", receiver.baseUrl(), "retry-max-attempts", "2",
                "retry-initial-backoff", "10ms", "retry-max-backoff", "20ms", "max-batch-size", "4"));
        for (int i = 0; i < 5; i++) sink.write(record(1, i, WORKER_1));
        for (int i = 0; i < 3; i++) sink.write(record(4, i, WORKER_2));
        for (int i = 0; i < 2; i++) sink.write(record(1, 100 + i, WORKER_2));
        await().atMost(Duration.ofSeconds(10)).until(() -> sink.failed() == 10);
        sink.close();

        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-1/1", 5L, "worker-2/4", 3L, "worker-2/1", 2L));
        assertThat(outcomes.written()).isZero();
        assertThat(receiver.logRecords()).as("every batch tried twice (one retry)").hasSize(20);
    }

    @Test
    void aReceiverThatIsDownGivesEveryRecordAsFailed() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        OtlpSink sink = open("http/protobuf", Map.of("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:" + port),
                Map.of("retry-max-attempts", "1"));
        for (int i = 0; i < 7; i++) sink.write(record(5, i, WORKER_1));
        sink.write(record(6, 0, RecordOrigin.UNKNOWN));
        sink.close();

        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-1/5", 7L, "?/6", 1L));
        assertThat(outcomes.written()).isZero();
        assertThat(sink.failed()).isEqualTo(sink.accepted());
    }

    @Test
    void aSlowReceiverHoldsTheWriterBackAndLosesNothing() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        receiver.delay(150);
        OtlpSink sink = open("http/protobuf", Map.of(), Map.of("endpoint", receiver.baseUrl(), "max-batch-size", "10", "max-queue-size", "20",
                "max-concurrent-exports", "1"));
        long t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) sink.write(record(i % 3, i, WORKER_1));
        long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
        sink.close();

        assertThat(waitedMillis).as("a full queue makes write wait (backpressure), it drops nothing").isGreaterThanOrEqualTo(500);
        assertThat(receiver.logRecords()).hasSize(100);
        assertThat(outcomes.written()).isEqualTo(100);
        assertThat(outcomes.failed()).isZero();
    }

    @Test
    void aReceiverSlowerThanTheTimeoutGivesCountedFailuresNotSilentLoss() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        receiver.delay(1500);
        OtlpSink sink = open("http/protobuf", Map.of(), Map.of("endpoint", receiver.baseUrl(), "timeout", "200ms", "retry-max-attempts", "1",
                "max-batch-size", "5"));
        for (int i = 0; i < 12; i++) sink.write(record(2, i, WORKER_2));
        sink.close();

        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-2/2", 12L));
        assertThat(outcomes.written()).isZero();
    }

    @Test
    void closeCountsWhatIsStillUnconfirmedAsFailedAndALateAnswerDoesNotCountAgain() throws Exception {
        HttpOtlpReceiver receiver = httpReceiver();
        receiver.delay(4000);
        OtlpSink sink = open("http/protobuf", Map.of(), Map.of("endpoint", receiver.baseUrl(), "close-timeout", "300ms"));
        for (int i = 0; i < 6; i++) sink.write(record(7, i, WORKER_1));
        long t0 = System.nanoTime();
        sink.close();
        long closeMillis = (System.nanoTime() - t0) / 1_000_000;

        assertThat(closeMillis).as("close waits close-timeout, not for the receiver").isLessThan(3000);
        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-1/7", 6L));
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.answered() >= 1);
        Thread.sleep(200);
        assertThat(outcomes.written()).as("the late result (the receiver's answer or the exporter's cancellation) is not counted again").isZero();
        assertThat(outcomes.failed()).isEqualTo(6);
    }

    /** An exporter whose exports never complete, not even at shutdown (a hung connection the SDK does not cancel). */
    private static final class HangingExporter implements LogRecordExporter {
        final AtomicInteger exports = new AtomicInteger();

        @Override
        public CompletableResultCode export(Collection<LogRecordData> logs) {
            exports.incrementAndGet();
            return new CompletableResultCode();
        }

        @Override
        public CompletableResultCode flush() {
            return CompletableResultCode.ofSuccess();
        }

        @Override
        public CompletableResultCode shutdown() {
            return CompletableResultCode.ofSuccess();
        }
    }

    @Test
    void exportsThatNeverCompleteAreReportedAsFailedByTheCloseAndAFullQueueMakesWriteWait() throws Exception {
        HangingExporter exporter = new HangingExporter();
        OtlpSink sink = new OtlpSink(exporter, new ExitLogRecordMapper(OtlpSinkProvider.resource("r", Map.of()), "r", Clock.systemUTC()),
                new OtlpBatching(4, 2, Duration.ofSeconds(30), Duration.ofMillis(200)), 1, outcomes, "otlp:test");
        // 2 in the hung export, 2 in the next batch (waiting for the export slot), 4 queued: the queue is full (the
        // schedule delay is long, so each batch waits until it holds its 2 records)
        for (int i = 0; i < 8; i++) sink.write(record(i < 4 ? 1 : 2, i, WORKER_1));

        Thread writer = Thread.currentThread();
        Thread interrupter = Thread.ofPlatform().start(() -> {
            try {
                Thread.sleep(300);
            } catch (InterruptedException e) {
                return;
            }
            writer.interrupt();
        });
        assertThatThrownBy(() -> sink.write(record(3, 0, WORKER_1))).as("the queue is full: write waits until interrupted")
                .isInstanceOf(InterruptedIOException.class);
        assertThat(Thread.interrupted()).isTrue();
        interrupter.join();
        assertThat(sink.accepted()).as("the interrupted write was not accepted (the pipeline counts it)").isEqualTo(8);

        sink.close();
        assertThat(exporter.exports.get()).isEqualTo(1);
        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-1/1", 4L, "worker-1/2", 4L));
        assertThat(outcomes.written()).isZero();
    }

    @Test
    void grpcCarriesTheSameRecordsAndHeadersAndCountsAnUnavailableReceiverPerCpu() throws Exception {
        GrpcOtlpReceiver receiver = new GrpcOtlpReceiver();
        toClose.add(receiver);
        OtlpSink sink = open("grpc", Map.of("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", receiver.baseUrl(),
                "OTEL_EXPORTER_OTLP_LOGS_HEADERS", "authorization=Bearer%20g"), Map.of());
        assertThat(sink.describe()).isEqualTo("otlp:grpc " + receiver.baseUrl());
        sink.write(record(3, 41, 400, "java", true, WORKER_1, 1_796_558_100_000_000_001L));
        sink.write(record(4, 9, WORKER_2));
        sink.close();

        assertThat(receiver.requests()).isNotEmpty().allSatisfy(r -> assertThat(r.header("authorization")).isEqualTo("Bearer g"));
        List<LogRecord> logs = receiver.logRecords();
        assertThat(logs).hasSize(2);
        assertThat(logs.getFirst().getTimeUnixNano()).isEqualTo(1_796_558_100_000_000_001L);
        Map<String, AnyValue> at = attributes(logs.getFirst().getAttributesList());
        assertThat(at.get("taskstats.seq").getIntValue()).isEqualTo(41);
        assertThat(at.get("taskstats.tgid_stats.cpu_count").getIntValue()).isEqualTo(3);
        assertThat(outcomes.written()).isEqualTo(2);

        receiver.answerWith(Status.UNAVAILABLE);
        OtlpSink failing = open("grpc", Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", receiver.baseUrl()),
                Map.of("retry-max-attempts", "2", "retry-initial-backoff", "10ms", "retry-max-backoff", "10ms"));
        for (int i = 0; i < 4; i++) failing.write(record(0, i, WORKER_1));
        failing.write(record(9, 0, WORKER_2));
        failing.close();
        assertThat(outcomes.failedPerCpu()).isEqualTo(Map.of("worker-1/0", 4L, "worker-2/9", 1L));
        assertThat(outcomes.written()).isEqualTo(2);
    }

    @Test
    void theSchemeIsFoundByTheSinkFactoryWithItsProtocolFromTheArgument() throws Exception {
        RecordSink sink = new RecordSinkFactory(List.of()).open("otlp:grpc",
                new SinkContext("replica-a", Map.of("endpoint", "http://127.0.0.1:4317"), outcomes));
        try {
            assertThat(sink.describe()).isEqualTo("otlp:grpc http://127.0.0.1:4317");
            assertThat(sink.confirmsAsynchronously()).isTrue();
        } finally {
            sink.close();
        }
        assertThat(outcomes.written() + outcomes.failed()).isZero();
    }
}
