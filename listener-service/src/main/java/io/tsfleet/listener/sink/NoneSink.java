package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;

/** Discards records (they are still decoded, accounted and measured). {@code tsfleet.listener.sink=none}. */
public final class NoneSink implements RecordSink {

    @Override
    public void write(ExitRecordView record) {
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    @Override
    public String describe() {
        return "none";
    }

    static final class Provider implements RecordSinkProvider {
        @Override
        public String scheme() {
            return "none";
        }

        @Override
        public RecordSink open(String argument, SinkContext context) {
            if (!argument.isBlank()) throw new IllegalArgumentException("sink 'none' takes no argument, got '" + argument + "'");
            return new NoneSink();
        }
    }
}
