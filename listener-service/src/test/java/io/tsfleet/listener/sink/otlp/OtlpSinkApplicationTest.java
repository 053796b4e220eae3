package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.logs.v1.LogRecord;
import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The replica as it runs (Spring Boot, a broker over TCP) with {@code tsfleet.listener.sink=otlp:http/protobuf}: the
 * provider is found by the service loader, the options reach it, and every exit the broker sends arrives at an OTLP
 * receiver as one log record with its fields.
 */
class OtlpSinkApplicationTest {
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable c : toClose.reversed()) c.close();
    }

    @Test
    void everyExitTheBrokerSendsArrivesAsOneLogRecord() throws Exception {
        HttpOtlpReceiver receiver = new HttpOtlpReceiver();
        toClose.add(receiver);
        FakeBroker broker = new FakeBroker(null, 2).node("worker-7").start();
        toClose.add(broker);
        long startNanos = System.currentTimeMillis() * 1_000_000L;
        ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ListenerApplication.class).run("--server.port=0",
                "--tsfleet.listener.broker=" + broker.address(), "--tsfleet.listener.static-mask=0-1", "--tsfleet.listener.id=otlp-app",
                "--tsfleet.listener.node=worker-7", "--tsfleet.listener.sink=otlp:http/protobuf",
                "--tsfleet.listener.sink-options.endpoint=" + receiver.baseUrl(), "--tsfleet.listener.sink-options.schedule-delay=20ms");
        toClose.add(ctx::close);
        await().atMost(Duration.ofSeconds(10)).until(ctx.getBean(ReplicaEngine.class)::ready);

        for (int i = 0; i < 20; i++) assertThat(broker.exit(i % 2, 500 + i, "exit-" + i, i == 19)).isGreaterThanOrEqualTo(0);
        await().atMost(Duration.ofSeconds(10)).until(() -> receiver.logRecords().size() >= 20);
        Thread.sleep(200);

        List<LogRecord> logs = receiver.logRecords();
        assertThat(logs).hasSize(20);
        Map<Long, LogRecord> byPid = logs.stream().collect(Collectors.toMap(l -> attr(l, "taskstats.pid").getIntValue(), l -> l));
        for (int i = 0; i < 20; i++) {
            LogRecord l = byPid.get(500L + i);
            assertThat(l).as("pid %d", 500 + i).isNotNull();
            assertThat(attr(l, "taskstats.cpu").getIntValue()).isEqualTo(i % 2);
            assertThat(attr(l, "taskstats.comm").getStringValue()).isEqualTo("exit-" + i);
            assertThat(l.getBody().getStringValue()).isEqualTo("exit-" + i);
            assertThat(attr(l, "taskstats.replica").getStringValue()).isEqualTo("otlp-app");
            assertThat(attr(l, "taskstats.node").getStringValue()).isEqualTo("worker-7");
            assertThat(attr(l, "taskstats.boot_id").getStringValue()).isEqualTo(broker.bootId());
            assertThat(attr(l, "taskstats.stats.blkio_delay_total").getIntValue()).isEqualTo(2_000_000L);
            assertThat(l.getObservedTimeUnixNano()).isGreaterThanOrEqualTo(startNanos);
        }
        assertThat(attr(byPid.get(519L), "taskstats.scope").getStringValue()).isEqualTo("group");
        assertThat(attr(byPid.get(519L), "taskstats.tgid_stats.cpu_count").getIntValue()).isEqualTo(7);
        assertThat(attr(byPid.get(500L), "taskstats.scope").getStringValue()).isEqualTo("process");
        long[] seqs = logs.stream().filter(l -> attr(l, "taskstats.cpu").getIntValue() == 0)
                .mapToLong(l -> attr(l, "taskstats.seq").getIntValue()).sorted().toArray();
        assertThat(seqs).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    private static AnyValue attr(LogRecord l, String key) {
        return l.getAttributesList().stream().filter(kv -> kv.getKey().equals(key)).map(KeyValue::getValue).findFirst()
                .orElseThrow(() -> new AssertionError("no attribute " + key));
    }
}
