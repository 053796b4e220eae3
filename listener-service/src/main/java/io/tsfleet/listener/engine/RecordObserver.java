package io.tsfleet.listener.engine;

import io.tsfleet.listener.record.ExitRecordView;

/** Sees every record on its way into the sink (the metrics adapter records the delay histograms). */
@FunctionalInterface
public interface RecordObserver {
    RecordObserver NONE = r -> {
    };

    void observe(ExitRecordView record);
}
