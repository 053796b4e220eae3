package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.util.Map;

import static io.tsfleet.listener.sink.otlp.ExitRecords.WORKER_1;
import static io.tsfleet.listener.sink.otlp.ExitRecords.record;
import static org.assertj.core.api.Assertions.assertThat;

/** The mapper's attribute set behaves as the SDK's would: every key once, readable by key, convertible. */
class ExitLogRecordMapperTest {
    private final ExitLogRecordMapper mapper = new ExitLogRecordMapper(OtlpSinkProvider.resource("r", Map.of()), "r", Clock.systemUTC());

    @Test
    void everyKeyOnceAndTheSameSetAsTheSdkWouldBuild() {
        ExitLogRecord group = mapper.map(record(3, 41, 400, "java", true, WORKER_1, 5));
        Attributes a = group.getAttributes();
        int fields = TaskstatsField.values().length;
        assertThat(a.size()).as("10 record fields, the struct and the aggregate").isEqualTo(10 + 2 * fields);
        assertThat(a.asMap()).hasSize(a.size());
        assertThat(a.get(ExitLogRecordMapper.CPU)).isEqualTo(3L);
        assertThat(a.get(AttributeKey.longKey("taskstats.tgid_stats.cpu_count"))).isEqualTo(3L);
        assertThat(a.get(AttributeKey.stringKey("taskstats.stats.cpu_delay_total"))).isEqualTo("18446744073709551615");
        assertThat(a.get(AttributeKey.longKey("taskstats.stats.cpu_delay_total"))).isNull();
        Attributes sdk = a.toBuilder().build();
        assertThat(sdk.size()).isEqualTo(a.size());
        assertThat(sdk.asMap()).isEqualTo(a.asMap());
        assertThat(a).isEqualTo(sdk);
        assertThat(group.getTotalAttributeCount()).isEqualTo(a.size());
    }
}
