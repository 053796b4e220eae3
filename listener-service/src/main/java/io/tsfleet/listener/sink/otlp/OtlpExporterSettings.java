package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporter;
import io.opentelemetry.exporter.otlp.http.logs.OtlpHttpLogRecordExporterBuilder;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporter;
import io.opentelemetry.exporter.otlp.logs.OtlpGrpcLogRecordExporterBuilder;
import io.opentelemetry.sdk.common.export.MemoryMode;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.logs.export.LogRecordExporter;
import io.tsfleet.listener.sink.SinkContext;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Where and how the OTLP sink exports: resolved from the sink's argument and options and the standard OTLP environment
 * variables, in this order of precedence: the argument ({@code otlp:grpc}, {@code otlp:http/protobuf}) for the
 * protocol; the sink options {@code endpoint}, {@code headers}, {@code timeout}, {@code compression}; then
 * {@code OTEL_EXPORTER_OTLP_LOGS_*}; then {@code OTEL_EXPORTER_OTLP_*}; then the specification's defaults
 * (http/protobuf to {@code http://localhost:4318/v1/logs}, gRPC to {@code http://localhost:4317}, 10 s, no compression).
 * Headers are merged by name across the three sources (the higher one wins for a name).
 *
 * <p>Endpoints follow the specification: {@code OTEL_EXPORTER_OTLP_ENDPOINT} is a base URL to which http/protobuf
 * appends {@code v1/logs}; {@code OTEL_EXPORTER_OTLP_LOGS_ENDPOINT} is used as it is. The {@code endpoint} option is used
 * as it is too, except that an http/protobuf URL without a path gets {@code /v1/logs} (the only path a collector serves
 * logs on). The environment is an input (a map), so that tests set it.
 */
public record OtlpExporterSettings(OtlpProtocol protocol, String endpoint, Map<String, String> headers, Duration timeout,
                                   String compression, Path trustedCertificates, Path clientKey, Path clientCertificate,
                                   RetryPolicy retryPolicy, int maxConcurrentExports) {
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);
    public static final int DEFAULT_RETRY_MAX_ATTEMPTS = 5;
    /** Two exports in flight keep the connection busy while the next batch is serialised (about twice the records/s of one). */
    public static final int DEFAULT_MAX_CONCURRENT_EXPORTS = 2;
    private static final String GENERIC = "OTEL_EXPORTER_OTLP_";
    private static final String LOGS = "OTEL_EXPORTER_OTLP_LOGS_";

    public OtlpExporterSettings {
        headers = Map.copyOf(headers);
    }

    /**
     * Resolves the settings; a bad value (an unknown protocol, an endpoint that is not an http(s) URL, a header without
     * {@code =}, a bad timeout or compression) is an {@link IllegalArgumentException} naming the option or variable.
     */
    public static OtlpExporterSettings resolve(String argument, SinkContext context, Map<String, String> env) {
        OtlpProtocol protocol = argument == null || argument.isBlank()
                ? protocolFromEnvironment(env)
                : OtlpProtocol.parse(argument, "sink argument of otlp");
        String endpoint = endpoint(protocol, context, env);

        Map<String, String> headers = new LinkedHashMap<>();
        headers.putAll(headers(env.get(GENERIC + "HEADERS"), GENERIC + "HEADERS"));
        headers.putAll(headers(env.get(LOGS + "HEADERS"), LOGS + "HEADERS"));
        headers.putAll(headers(context.options().get("headers"), "sink option headers"));

        Duration timeout = context.options().containsKey("timeout")
                ? context.durationOption("timeout", DEFAULT_TIMEOUT, Duration.ofMillis(1))
                : environmentTimeout(env);

        String compressionSource = sourceOf(context, env, "compression", "COMPRESSION");
        String compression = compressionSource == null ? "none" : compression(valueOf(context, env, compressionSource), compressionSource);

        Path trusted = path(env, "CERTIFICATE");
        Path clientKey = path(env, "CLIENT_KEY");
        Path clientCertificate = path(env, "CLIENT_CERTIFICATE");
        if ((clientKey == null) != (clientCertificate == null)) {
            throw new IllegalArgumentException(GENERIC + "CLIENT_KEY and " + GENERIC + "CLIENT_CERTIFICATE (or their LOGS_ forms) must be set together");
        }

        long attempts = context.longOption("retry-max-attempts", DEFAULT_RETRY_MAX_ATTEMPTS, 1);
        if (attempts > 5) throw new IllegalArgumentException("sink option retry-max-attempts=" + attempts + " is above 5 (the OTLP exporter's limit)");
        RetryPolicy retry = null;
        if (attempts > 1) {
            retry = RetryPolicy.builder().setMaxAttempts((int) attempts)
                    .setInitialBackoff(context.durationOption("retry-initial-backoff", Duration.ofSeconds(1), Duration.ofMillis(1)))
                    .setMaxBackoff(context.durationOption("retry-max-backoff", Duration.ofSeconds(5), Duration.ofMillis(1)))
                    .build();
        }
        long concurrent = context.longOption("max-concurrent-exports", DEFAULT_MAX_CONCURRENT_EXPORTS, 1);
        if (concurrent > 64) throw new IllegalArgumentException("sink option max-concurrent-exports=" + concurrent + " is above 64");
        return new OtlpExporterSettings(protocol, endpoint, headers, timeout, compression, trusted, clientKey, clientCertificate, retry,
                (int) concurrent);
    }

    /** Builds the SDK's OTLP log exporter for these settings (reads the certificate files). */
    public LogRecordExporter createExporter() throws IOException {
        // the exporter reuses its serialisation buffers only when exports do not overlap
        MemoryMode memory = maxConcurrentExports > 1 ? MemoryMode.IMMUTABLE_DATA : MemoryMode.REUSABLE_DATA;
        if (protocol == OtlpProtocol.GRPC) {
            OtlpGrpcLogRecordExporterBuilder b = OtlpGrpcLogRecordExporter.builder().setEndpoint(endpoint).setTimeout(timeout)
                    .setCompression(compression).setRetryPolicy(retryPolicy).setMemoryMode(memory);
            headers.forEach(b::addHeader);
            if (trustedCertificates != null) b.setTrustedCertificates(Files.readAllBytes(trustedCertificates));
            if (clientKey != null) b.setClientTls(Files.readAllBytes(clientKey), Files.readAllBytes(clientCertificate));
            return b.build();
        }
        OtlpHttpLogRecordExporterBuilder b = OtlpHttpLogRecordExporter.builder().setEndpoint(endpoint).setTimeout(timeout)
                .setCompression(compression).setRetryPolicy(retryPolicy).setMemoryMode(memory);
        headers.forEach(b::addHeader);
        if (trustedCertificates != null) b.setTrustedCertificates(Files.readAllBytes(trustedCertificates));
        if (clientKey != null) b.setClientTls(Files.readAllBytes(clientKey), Files.readAllBytes(clientCertificate));
        return b.build();
    }

    /** For logs and the API: the protocol and endpoint (never the headers: they may hold credentials). */
    public String describe() {
        return "otlp:" + protocol.spelling() + " " + endpoint;
    }

    @Override
    public String toString() {
        return "OtlpExporterSettings[" + describe() + ", headers " + headers.keySet() + " (values hidden), timeout " + timeout
                + ", compression " + compression + "]";
    }

    private static OtlpProtocol protocolFromEnvironment(Map<String, String> env) {
        if (present(env.get(LOGS + "PROTOCOL"))) return OtlpProtocol.parse(env.get(LOGS + "PROTOCOL"), LOGS + "PROTOCOL");
        if (present(env.get(GENERIC + "PROTOCOL"))) return OtlpProtocol.parse(env.get(GENERIC + "PROTOCOL"), GENERIC + "PROTOCOL");
        return OtlpProtocol.HTTP_PROTOBUF;
    }

    private static String endpoint(OtlpProtocol protocol, SinkContext context, Map<String, String> env) {
        String option = context.options().get("endpoint");
        if (present(option)) {
            URI uri = url(option, "sink option endpoint");
            boolean noPath = uri.getRawPath() == null || uri.getRawPath().isEmpty() || uri.getRawPath().equals("/");
            return protocol == OtlpProtocol.HTTP_PROTOBUF && noPath ? withLogsPath(option.trim()) : option.trim();
        }
        String logs = env.get(LOGS + "ENDPOINT");
        if (present(logs)) {
            url(logs, LOGS + "ENDPOINT");
            return logs.trim();
        }
        String generic = env.get(GENERIC + "ENDPOINT");
        if (present(generic)) {
            url(generic, GENERIC + "ENDPOINT");
            return protocol == OtlpProtocol.HTTP_PROTOBUF ? withLogsPath(generic.trim()) : generic.trim();
        }
        return protocol.defaultEndpoint();
    }

    private static String withLogsPath(String base) {
        return (base.endsWith("/") ? base : base + "/") + "v1/logs";
    }

    private static URI url(String value, String source) {
        URI uri;
        try {
            uri = new URI(value.trim());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(source + "='" + value + "' is not a URL: " + e.getMessage());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new IllegalArgumentException(source + "='" + value + "' is not an http:// or https:// URL with a host");
        }
        return uri;
    }

    /** {@code name=value,name=value}, values percent-decoded (the W3C baggage form the specification names). */
    static Map<String, String> headers(String value, String source) {
        Map<String, String> out = new LinkedHashMap<>();
        if (!present(value)) return out;
        for (String entry : value.split(",")) {
            if (entry.isBlank()) continue;
            int eq = entry.indexOf('=');
            String name = eq < 0 ? "" : entry.substring(0, eq).trim();
            if (name.isEmpty()) {
                throw new IllegalArgumentException(source + " has an entry that is not name=value (entries are separated by commas)");
            }
            out.put(name, percentDecode(entry.substring(eq + 1).trim(), source));
        }
        return out;
    }

    private static String percentDecode(String s, String source) {
        if (s.indexOf('%') < 0) return s;
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < bytes.length; i++) {
            if (bytes[i] == '%' && i + 2 < bytes.length && hex(bytes[i + 1]) >= 0 && hex(bytes[i + 2]) >= 0) {
                out.write(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
                i += 2;
            } else if (bytes[i] == '%') {
                throw new IllegalArgumentException(source + " has a bad percent-encoding in a header value");
            } else {
                out.write(bytes[i]);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(byte b) {
        if (b >= '0' && b <= '9') return b - '0';
        if (b >= 'a' && b <= 'f') return b - 'a' + 10;
        if (b >= 'A' && b <= 'F') return b - 'A' + 10;
        return -1;
    }

    /** The specification's form: whole milliseconds; a duration with a unit ({@code 5s}, {@code 250ms}) is taken too. */
    private static Duration environmentTimeout(Map<String, String> env) {
        String name = present(env.get(LOGS + "TIMEOUT")) ? LOGS + "TIMEOUT" : GENERIC + "TIMEOUT";
        String v = env.get(name);
        if (!present(v)) return DEFAULT_TIMEOUT;
        String t = v.trim().toLowerCase(Locale.ROOT);
        Duration d;
        try {
            if (t.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2).trim()));
            else if (t.endsWith("s")) d = Duration.ofSeconds(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            else if (t.endsWith("m")) d = Duration.ofMinutes(Long.parseLong(t.substring(0, t.length() - 1).trim()));
            else d = Duration.ofMillis(Long.parseLong(t));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + "='" + v + "' is not a timeout in milliseconds");
        }
        if (d.isNegative() || d.isZero()) throw new IllegalArgumentException(name + "='" + v + "' must be positive");
        return d;
    }

    private static String compression(String value, String source) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        if (v.equals("gzip") || v.equals("none")) return v;
        throw new IllegalArgumentException(source + "='" + value + "' is not an OTLP compression; use gzip or none");
    }

    /** Which source sets a setting: {@code sink option <name>}, a variable's name, or null when none does. */
    private static String sourceOf(SinkContext context, Map<String, String> env, String option, String variable) {
        if (present(context.options().get(option))) return "sink option " + option;
        if (present(env.get(LOGS + variable))) return LOGS + variable;
        if (present(env.get(GENERIC + variable))) return GENERIC + variable;
        return null;
    }

    private static String valueOf(SinkContext context, Map<String, String> env, String source) {
        return source.startsWith("sink option ") ? context.options().get(source.substring("sink option ".length())) : env.get(source);
    }

    private static Path path(Map<String, String> env, String variable) {
        String v = present(env.get(LOGS + variable)) ? env.get(LOGS + variable) : env.get(GENERIC + variable);
        if (!present(v)) return null;
        Path p = Path.of(v.trim());
        if (!Files.isReadable(p)) throw new IllegalArgumentException("OTLP " + variable.toLowerCase(Locale.ROOT) + " file " + p + " is not readable");
        return p;
    }

    private static boolean present(String v) {
        return v != null && !v.isBlank();
    }
}
