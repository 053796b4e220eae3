package io.tsfleet.listener.sink.otlp;

import java.util.Locale;

/** The OTLP transports the sink speaks: the values of {@code OTEL_EXPORTER_OTLP_PROTOCOL} it accepts. */
public enum OtlpProtocol {
    GRPC("grpc", "http://localhost:4317"),
    HTTP_PROTOBUF("http/protobuf", "http://localhost:4318/v1/logs");

    private final String spelling;
    private final String defaultEndpoint;

    OtlpProtocol(String spelling, String defaultEndpoint) {
        this.spelling = spelling;
        this.defaultEndpoint = defaultEndpoint;
    }

    /** As the OTLP environment variables spell it ({@code grpc}, {@code http/protobuf}). */
    public String spelling() {
        return spelling;
    }

    /** Where the logs go when nothing names an endpoint (the specification's defaults). */
    public String defaultEndpoint() {
        return defaultEndpoint;
    }

    /** {@code grpc} or {@code http/protobuf} (any case); {@code source} names where the value came from in the error. */
    public static OtlpProtocol parse(String value, String source) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (OtlpProtocol p : values()) if (p.spelling.equals(v)) return p;
        if (v.equals("http/json")) {
            throw new IllegalArgumentException(source + "='" + value + "': http/json is not supported by the OTLP sink; use grpc or http/protobuf");
        }
        throw new IllegalArgumentException(source + "='" + value + "' is not an OTLP protocol; use grpc or http/protobuf");
    }
}
