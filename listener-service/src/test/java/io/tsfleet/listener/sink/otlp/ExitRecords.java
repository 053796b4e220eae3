package io.tsfleet.listener.sink.otlp;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;

/** Exit records for the OTLP sink's tests, encoded as the broker sends them and decoded by {@link ExitRecordView}. */
final class ExitRecords {
    static final RecordOrigin WORKER_1 = RecordOrigin.of("worker-1", "6b3c1e0a-4f2d-4c1e-9a7b-2d5e8f0c1a3b");
    static final RecordOrigin WORKER_2 = RecordOrigin.of("worker-2", "9c1d0b7e-2a4f-4d3c-8e1b-5f6a7b8c9d0e");

    private ExitRecords() {
    }

    /** A single-threaded process's exit (pid = tgid), or with {@code group} the last thread of a group with its aggregate. */
    static ExitRecordView record(int cpu, long seq, long pid, String comm, boolean group, RecordOrigin origin, long timeEpochNanos) {
        Taskstats s = Taskstats.builder().set(TaskstatsField.AC_PID, pid).set(TaskstatsField.AC_TGID, pid).set(TaskstatsField.AC_EXITCODE, 9)
                .set(TaskstatsField.CPU_DELAY_TOTAL, -1L).set(TaskstatsField.BLKIO_DELAY_TOTAL, 12345).comm(comm).build();
        TaskstatsEvent ev = group
                ? TaskstatsEvent.exitWithGroup((int) seq, pid, s, pid, Taskstats.builder().set(TaskstatsField.CPU_COUNT, 3).comm(comm).build())
                : TaskstatsEvent.exit((int) seq, pid, s);
        ExitRecordView v = new ExitRecordView();
        if (!v.wrap(ExitRecordView.littleEndian(ev.encode(30).toBytes()), 0, cpu, origin)) throw new AssertionError("bad test event");
        v.timeEpochNanos(timeEpochNanos);
        return v;
    }

    static ExitRecordView record(int cpu, long seq, RecordOrigin origin) {
        return record(cpu, seq, 1000 + seq, "proc-" + seq, false, origin, 1_796_558_100_000_000_000L + seq);
    }
}
