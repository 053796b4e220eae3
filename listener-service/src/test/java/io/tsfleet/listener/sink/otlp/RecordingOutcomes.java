package io.tsfleet.listener.sink.otlp;

import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.sink.SinkOutcomes;

import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/** What a sink reported, totalled: records written, and records failed per "node/cpu" ("?/cpu" for an unknown node). */
final class RecordingOutcomes implements SinkOutcomes {
    private final AtomicLong written = new AtomicLong();
    private final Map<String, Long> failed = new TreeMap<>();

    @Override
    public void written(long records) {
        written.addAndGet(records);
    }

    @Override
    public synchronized void failed(RecordOrigin origin, int cpu, long records) {
        String node = origin == null || origin.node() == null ? "?" : origin.node();
        failed.merge(node + "/" + cpu, records, Long::sum);
    }

    long written() {
        return written.get();
    }

    synchronized Map<String, Long> failedPerCpu() {
        return Map.copyOf(failed);
    }

    synchronized long failed() {
        return failed.values().stream().mapToLong(Long::longValue).sum();
    }
}
