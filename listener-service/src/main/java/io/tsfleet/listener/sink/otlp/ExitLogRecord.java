package io.tsfleet.listener.sink.otlp;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.Value;
import io.opentelemetry.api.logs.Severity;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.logs.data.Body;
import io.opentelemetry.sdk.logs.data.LogRecordData;
import io.opentelemetry.sdk.resources.Resource;
import io.tsfleet.listener.record.RecordOrigin;

/**
 * One exit as an OTLP log record (what the SDK's exporter serialises), with what the sink needs to account for it: the
 * CPU and the origin (node, boot) of the record, to report it as failed per (node, CPU) when its export fails.
 */
record ExitLogRecord(Resource resource, InstrumentationScopeInfo scope, long timestampEpochNanos, long observedEpochNanos,
                     String comm, Attributes attributes, int cpu, RecordOrigin origin) implements LogRecordData {
    /** The log record's event name: what every record of this sink is. */
    static final String EVENT_NAME = "taskstats.exit";

    @Override
    public Resource getResource() {
        return resource;
    }

    @Override
    public InstrumentationScopeInfo getInstrumentationScopeInfo() {
        return scope;
    }

    @Override
    public long getTimestampEpochNanos() {
        return timestampEpochNanos;
    }

    @Override
    public long getObservedTimestampEpochNanos() {
        return observedEpochNanos;
    }

    @Override
    public SpanContext getSpanContext() {
        return SpanContext.getInvalid();
    }

    @Override
    public Severity getSeverity() {
        return Severity.UNDEFINED_SEVERITY_NUMBER;
    }

    @Override
    public String getSeverityText() {
        return null;
    }

    @Override
    @SuppressWarnings("deprecation")
    public Body getBody() {
        return Body.string(comm);
    }

    @Override
    public Value<?> getBodyValue() {
        return Value.of(comm);
    }

    @Override
    public Attributes getAttributes() {
        return attributes;
    }

    @Override
    public int getTotalAttributeCount() {
        return attributes.size();
    }

    @Override
    public String getEventName() {
        return EVENT_NAME;
    }
}
