package io.tsfleet.listener.sink.otlp;

import io.tsfleet.listener.sink.SinkContext;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** How the OTLP sink's argument, options and the standard environment variables combine, and bad values refused clearly. */
class OtlpExporterSettingsTest {
    private static OtlpExporterSettings resolve(String argument, Map<String, String> options, Map<String, String> env) {
        return OtlpExporterSettings.resolve(argument, new SinkContext("r", options), env);
    }

    @Test
    void withNothingSetTheSpecificationsDefaultsApply() {
        OtlpExporterSettings s = resolve("", Map.of(), Map.of());
        assertThat(s.protocol()).isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        assertThat(s.endpoint()).isEqualTo("http://localhost:4318/v1/logs");
        assertThat(s.timeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(s.compression()).isEqualTo("none");
        assertThat(s.headers()).isEmpty();
        assertThat(resolve("grpc", Map.of(), Map.of()).endpoint()).isEqualTo("http://localhost:4317");
    }

    @Test
    void theProtocolComesFromTheArgumentThenTheLogsVariableThenTheGenericOne() {
        assertThat(resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc")).protocol()).isEqualTo(OtlpProtocol.GRPC);
        assertThat(resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "http/protobuf"))
                .protocol()).isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        assertThat(resolve("http/protobuf", Map.of(), Map.of("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL", "grpc")).protocol())
                .isEqualTo(OtlpProtocol.HTTP_PROTOBUF);
        OtlpExporterSettings grpc = resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "grpc", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://c:4317"));
        assertThat(grpc.endpoint()).as("gRPC takes the base as it is").isEqualTo("http://c:4317");
    }

    @Test
    void timeoutsAreMillisecondsInTheEnvironmentAndDurationsAsOptions() {
        assertThat(resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "2500")).timeout()).isEqualTo(Duration.ofMillis(2500));
        assertThat(resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "2500", "OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "3s")).timeout())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(resolve("", Map.of("timeout", "750ms"), Map.of("OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "3s")).timeout())
                .isEqualTo(Duration.ofMillis(750));
        assertThat(resolve("", Map.of("compression", "GZIP"), Map.of("OTEL_EXPORTER_OTLP_COMPRESSION", "none")).compression()).isEqualTo("gzip");
    }

    @Test
    void badValuesAreRefusedNamingWhereTheyCameFrom() {
        assertThatThrownBy(() -> resolve("http/json", Map.of(), Map.of())).hasMessageContaining("sink argument of otlp='http/json'").hasMessageContaining("not supported");
        assertThatThrownBy(() -> resolve("kafka", Map.of(), Map.of())).hasMessageContaining("not an OTLP protocol");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_PROTOCOL", "udp"))).hasMessageContaining("OTEL_EXPORTER_OTLP_PROTOCOL");
        assertThatThrownBy(() -> resolve("", Map.of("endpoint", "collector:4318"), Map.of())).hasMessageContaining("sink option endpoint");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "ftp://c/")))
                .hasMessageContaining("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_HEADERS", "novalue"))).hasMessageContaining("OTEL_EXPORTER_OTLP_HEADERS");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_TIMEOUT", "soon"))).hasMessageContaining("OTEL_EXPORTER_OTLP_TIMEOUT");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION", "zstd")))
                .hasMessageContaining("OTEL_EXPORTER_OTLP_LOGS_COMPRESSION");
        assertThatThrownBy(() -> resolve("", Map.of("retry-max-attempts", "9"), Map.of())).hasMessageContaining("retry-max-attempts");
        assertThatThrownBy(() -> resolve("", Map.of(), Map.of("OTEL_EXPORTER_OTLP_CERTIFICATE", "/nonexistent/ca.pem"))).hasMessageContaining("not readable");
    }

    @Test
    void theDescriptionNeverShowsHeaderValues() {
        OtlpExporterSettings s = resolve("", Map.of("headers", "authorization=Bearer%20s3cret"), Map.of());
        assertThat(s.headers()).containsEntry("authorization", "Bearer s3cret");
        assertThat(s.toString()).contains("authorization").doesNotContain("s3cret");
        assertThat(s.describe()).doesNotContain("s3cret");
    }
}
