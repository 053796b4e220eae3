package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.RecordSinkProvider;
import io.tsfleet.listener.sink.SinkContext;

import java.io.IOException;
import java.time.Clock;
import java.util.Map;

/**
 * The {@code otlp} scheme: {@code otlp} (the protocol from {@code OTEL_EXPORTER_OTLP_LOGS_PROTOCOL} /
 * {@code OTEL_EXPORTER_OTLP_PROTOCOL}, else http/protobuf), {@code otlp:grpc} or {@code otlp:http/protobuf}. Registered in
 * {@code META-INF/services}. The environment (the standard {@code OTEL_*} variables) is an input, so that tests set it;
 * the service loader's instance reads the process's.
 *
 * <p>Resource attributes: {@code service.name=taskstats-fleet-listener} and {@code service.instance.id=<replica id>},
 * which {@code OTEL_RESOURCE_ATTRIBUTES} and {@code OTEL_SERVICE_NAME} may override as the specification says.
 */
public final class OtlpSinkProvider implements RecordSinkProvider {
    public static final String SERVICE_NAME = "taskstats-fleet-listener";
    private static final AttributeKey<String> SERVICE_NAME_KEY = AttributeKey.stringKey("service.name");
    private static final AttributeKey<String> SERVICE_INSTANCE_KEY = AttributeKey.stringKey("service.instance.id");

    private final Map<String, String> environment;
    private final Clock clock;

    /** For the service loader: the process's environment and the system clock. */
    public OtlpSinkProvider() {
        this(System.getenv(), Clock.systemUTC());
    }

    public OtlpSinkProvider(Map<String, String> environment, Clock clock) {
        this.environment = Map.copyOf(environment);
        this.clock = clock;
    }

    @Override
    public String scheme() {
        return "otlp";
    }

    @Override
    public RecordSink open(String argument, SinkContext context) throws IOException {
        OtlpExporterSettings settings = OtlpExporterSettings.resolve(argument, context, environment);
        OtlpBatching batching = OtlpBatching.of(context);
        Resource resource = resource(context.replicaId(), environment);
        LogRecordExporter exporter = settings.createExporter();
        return new OtlpSink(exporter, new ExitLogRecordMapper(resource, context.replicaId(), clock), batching,
                settings.maxConcurrentExports(), context.outcomes(), settings.describe());
    }

    static Resource resource(String replicaId, Map<String, String> env) {
        AttributesBuilder a = Attributes.builder().put(SERVICE_NAME_KEY, SERVICE_NAME).put(SERVICE_INSTANCE_KEY, replicaId);
        OtlpExporterSettings.headers(env.get("OTEL_RESOURCE_ATTRIBUTES"), "OTEL_RESOURCE_ATTRIBUTES").forEach(a::put);
        String serviceName = env.get("OTEL_SERVICE_NAME");
        if (serviceName != null && !serviceName.isBlank()) a.put(SERVICE_NAME_KEY, serviceName.trim());
        return Resource.getDefault().merge(Resource.create(a.build()));
    }
}
