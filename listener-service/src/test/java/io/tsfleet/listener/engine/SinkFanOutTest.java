package io.tsfleet.listener.engine;

import io.tsfleet.listener.domain.HeldRecord;
import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordOrigin;
import io.tsfleet.listener.record.RecordScope;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.SinkOutcomes;
import io.tsfleet.listener.testing.CollectingSink;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Several sinks behind one {@link SinkFanOut}: each gets every record or counts what it did not write (per CPU, told to
 * the loss listener), a slow {@code drop} sink does not hold the others back, a slow {@code block} sink does.
 */
class SinkFanOutTest {
    private static final RecordOrigin ORIGIN = RecordOrigin.of("node-a", "boot-1", "node-a");
    private static final int BATCH = 8192;
    private final List<SinkFanOut> toClose = new ArrayList<>();
    private final Map<String, Long> lossByCpu = new ConcurrentHashMap<>();

    @AfterEach
    void closeAll() throws Exception {
        for (SinkFanOut f : toClose) f.close(Duration.ofSeconds(2));
    }

    private SinkPipeline pipeline(String name, RecordSink sink, SinkPolicy policy, int batches) {
        return new SinkPipeline(name, sink, policy, new SinkCounters(), batches, BATCH, RecordObserver.NONE, System::nanoTime);
    }

    private SinkFanOut fanOut(SinkPipeline... pipelines) {
        SinkFanOut f = new SinkFanOut(List.of(pipelines));
        f.lossListener((origin, cpu, n) -> lossByCpu.merge(origin.node() + "/" + cpu, n, Long::sum));
        f.start();
        toClose.add(f);
        return f;
    }

    /** A reader's receive: {@code records} records of {@code cpu} read at {@code epochNanos}, published as one batch. */
    private static void receive(SinkFanOut f, int cpu, int firstSeq, int records, long epochNanos) throws InterruptedException {
        SinkBatch b = f.acquire(cpu, ORIGIN, epochNanos, null);
        for (int seq = firstSeq; seq < firstSeq + records; seq++) add(b, cpu, seq, 1000 + seq, 1000 + seq);
        f.publish(b);
    }

    private static void add(SinkBatch b, int cpu, int seq, long pid, long tgid) {
        ByteBuffer frame = frame(seq, pid, tgid);
        ExitRecordView parsed = new ExitRecordView();
        assertThat(parsed.wrap(frame, 0, cpu)).isTrue();
        b.add(frame, 0, frame.remaining(), parsed);
    }

    private static ByteBuffer frame(int seq, long pid, long tgid) {
        return ExitRecordView.littleEndian(TaskstatsEvent.exit(seq, pid,
                Taskstats.builder().set(TaskstatsField.AC_PID, pid).set(TaskstatsField.AC_TGID, tgid).build()).encode(30).toBytes());
    }

    @Test
    void aSlowDropSinkDropsWhatItCannotQueuePerCpuWhileTheOtherSinkGetsEveryRecord() throws Exception {
        CollectingSink fast = new CollectingSink();
        CollectingSink slow = new CollectingSink();
        slow.block(); // hangs until opened: its two batches fill at once
        SinkPipeline fastPipe = pipeline("jsonl", fast, SinkPolicy.DEFAULT, 4);
        SinkPipeline slowPipe = pipeline("kafka", slow, new SinkPolicy(SinkPolicy.WhenSlow.DROP, false), 2);
        SinkFanOut f = fanOut(fastPipe, slowPipe);

        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 30; i++) receive(f, i % 3, 10 * (i / 3), 10, 1);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        assertThat(reader.join(Duration.ofSeconds(10))).as("a slow drop sink never holds the reader").isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.size() == 300);
        slow.open();
        await().atMost(Duration.ofSeconds(5)).until(() -> slowPipe.queuedBytes() == 0 && slowPipe.recordsWritten() == slow.size());

        assertThat(fastPipe.recordsWritten()).isEqualTo(300);
        assertThat(fastPipe.recordsDropped()).isZero();
        assertThat(slowPipe.recordsDropped()).as("dropped at the slow sink").isPositive();
        assertThat(slow.size() + slowPipe.recordsDropped()).as("every record written or dropped").isEqualTo(300);
        assertThat(slowPipe.sinkErrors()).isZero();
        assertThat(slowPipe.backpressureNanos()).as("the reader never waited for a drop sink").isZero();
        for (int cpu = 0; cpu < 3; cpu++) {
            int c = cpu;
            long written = slow.records().stream().filter(r -> r.cpu() == c).count();
            assertThat(written + lossByCpu.getOrDefault("node-a/" + cpu, 0L)).as("cpu %d: written + dropped", cpu).isEqualTo(100);
        }
        assertThat(lossByCpu.values().stream().mapToLong(Long::longValue).sum()).isEqualTo(slowPipe.recordsDropped());
    }

    @Test
    void aSlowBlockSinkHoldsTheReaderBackAndLosesNothing() throws Exception {
        CollectingSink fast = new CollectingSink();
        CollectingSink slow = new CollectingSink();
        slow.block();
        SinkPipeline fastPipe = pipeline("none", fast, SinkPolicy.DEFAULT, 4);
        SinkPipeline slowPipe = pipeline("jsonl", slow, SinkPolicy.DEFAULT, 2);
        SinkFanOut f = fanOut(fastPipe, slowPipe);

        AtomicInteger published = new AtomicInteger();
        Thread reader = Thread.ofVirtual().start(() -> {
            try {
                for (int i = 0; i < 20; i++) {
                    receive(f, 0, 10 * i, 10, 1);
                    published.incrementAndGet();
                }
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        });
        Thread.sleep(300);
        assertThat(reader.isAlive()).as("the reader waits for the slow block sink").isTrue();
        assertThat(published.get()).isLessThan(20);
        slow.open();
        assertThat(reader.join(Duration.ofSeconds(10))).isTrue();
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.size() == 200 && slow.size() == 200);
        assertThat(slowPipe.backpressureNanos()).as("the wait is the slow sink's backpressure").isGreaterThan(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(slowPipe.recordsDropped() + fastPipe.recordsDropped() + lossByCpu.size()).isZero();
        assertThat(slow.records()).extracting(CollectingSink.Rec::seq).containsExactlyElementsOf(fast.records().stream().map(CollectingSink.Rec::seq).toList());
    }

    @Test
    void onlyDropSinksTheReaderFillsAScratchBatchAndEverySinkGetsACopyOrDropsIt() throws Exception {
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        SinkPipeline pa = pipeline("stdout", a, new SinkPolicy(SinkPolicy.WhenSlow.DROP, false), 4);
        SinkPipeline pb = pipeline("otlp", b, new SinkPolicy(SinkPolicy.WhenSlow.DROP, false), 4);
        SinkFanOut f = fanOut(pa, pb);
        for (int i = 0; i < 10; i++) {
            receive(f, 1, 10 * i, 10, 1);
            int expected = 10 * (i + 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> a.size() == expected && b.size() == expected);
        }
        assertThat(pa.recordsDropped() + pb.recordsDropped()).isZero();
        assertThat(pa.recordsWritten()).isEqualTo(100);
        assertThat(pb.recordsWritten()).isEqualTo(100);
    }

    @Test
    void processesOnlyLeavesThreadsOutAndCountsThemAsFilteredNotLost() throws Exception {
        CollectingSink all = new CollectingSink();
        CollectingSink processes = new CollectingSink();
        SinkPipeline pAll = pipeline("jsonl", all, SinkPolicy.DEFAULT, 4);
        SinkPipeline pProc = pipeline("kafka", processes, new SinkPolicy(SinkPolicy.WhenSlow.BLOCK, true), 4);
        SinkFanOut f = fanOut(pAll, pProc);

        SinkBatch batch = f.acquire(0, ORIGIN, 7, null);
        add(batch, 0, 0, 500, 500); // a single-threaded process
        add(batch, 0, 1, 501, 500); // a thread of process 500
        add(batch, 0, 2, 502, 500); // another thread
        ByteBuffer group = ExitRecordView.littleEndian(TaskstatsEvent.exitWithGroup(3, 503,
                Taskstats.builder().set(TaskstatsField.AC_PID, 503).set(TaskstatsField.AC_TGID, 500).build(), 500,
                Taskstats.builder().set(TaskstatsField.CPU_COUNT, 3).build()).encode(30).toBytes());
        ExitRecordView parsed = new ExitRecordView();
        assertThat(parsed.wrap(group, 0, 0)).isTrue();
        batch.add(group, 0, group.remaining(), parsed); // the last thread of process 500: the group's aggregate
        f.publish(batch);

        await().atMost(Duration.ofSeconds(5)).until(() -> all.size() == 4 && pProc.recordsWritten() + pProc.recordsFiltered() == 4);
        assertThat(processes.records()).extracting(CollectingSink.Rec::scope).containsExactly(RecordScope.PROCESS, RecordScope.GROUP);
        assertThat(all.records()).extracting(CollectingSink.Rec::scope)
                .containsExactly(RecordScope.PROCESS, RecordScope.THREAD, RecordScope.THREAD, RecordScope.GROUP);
        assertThat(pProc.recordsFiltered()).isEqualTo(2);
        assertThat(pProc.recordsWritten()).isEqualTo(2);
        assertThat(pProc.sinkErrors() + pProc.recordsDropped()).isZero();
        assertThat(lossByCpu).as("filtered is not loss").isEmpty();
        assertThat(pAll.recordsFiltered()).isZero();
    }

    @Test
    void everySinkSeesTheTimeTheReaderReadTheRecordsAndHeldRecordsKeepTheirOwn() throws Exception {
        CollectingSink a = new CollectingSink();
        CollectingSink b = new CollectingSink();
        SinkFanOut f = fanOut(pipeline("jsonl", a, SinkPolicy.DEFAULT, 4), pipeline("stdout", b, SinkPolicy.DEFAULT, 4));
        receive(f, 2, 0, 3, 1_765_000_000_123_456_789L);
        List<HeldRecord> held = new ArrayList<>();
        for (int seq = 3; seq < 5; seq++) {
            ByteBuffer frame = frame(seq, 2000 + seq, 2000 + seq);
            ExitRecordView parsed = new ExitRecordView();
            assertThat(parsed.wrap(frame, 0, 2)).isTrue();
            int[] layout = new int[ExitRecordView.LAYOUT_INTS];
            parsed.saveLayout(layout, 0);
            byte[] copy = new byte[frame.remaining()];
            frame.get(0, copy);
            held.add(new HeldRecord(seq, copy, layout, 1_765_000_000_000_000_000L + seq));
        }
        f.publishHeld(2, ORIGIN, held);

        await().atMost(Duration.ofSeconds(5)).until(() -> a.size() == 5 && b.size() == 5);
        for (CollectingSink s : List.of(a, b)) {
            assertThat(s.records()).extracting(CollectingSink.Rec::timeEpochNanos).containsExactly(1_765_000_000_123_456_789L,
                    1_765_000_000_123_456_789L, 1_765_000_000_123_456_789L, 1_765_000_000_000_000_003L, 1_765_000_000_000_000_004L);
        }
    }

    /** A sink that confirms later (as Kafka does): acknowledgements and failures come from its own thread. */
    static final class ConfirmingSink implements RecordSink {
        private final SinkOutcomes outcomes;
        private final List<int[]> accepted = new ArrayList<>(); // {cpu, seq}
        private final RecordOrigin[] origins = new RecordOrigin[1];
        final CountDownLatch closed = new CountDownLatch(1);

        ConfirmingSink(SinkOutcomes outcomes) {
            this.outcomes = outcomes;
        }

        @Override
        public synchronized void write(ExitRecordView record) {
            accepted.add(new int[] {record.cpu(), (int) record.seq()});
            origins[0] = record.origin();
        }

        /** From another thread: even seqs acknowledged, odd ones failed after the retries. */
        void confirmAll() throws InterruptedException {
            Thread t = Thread.ofPlatform().name("producer-io").start(() -> {
                List<int[]> batch;
                RecordOrigin origin;
                synchronized (this) {
                    batch = new ArrayList<>(accepted);
                    accepted.clear();
                    origin = origins[0];
                }
                for (int[] r : batch) {
                    if (r[1] % 2 == 0) outcomes.written(1);
                    else outcomes.failed(origin, r[0], 1);
                }
            });
            t.join();
        }

        synchronized int pending() {
            return accepted.size();
        }

        @Override
        public void flush() {
        }

        @Override
        public void close() {
            closed.countDown();
        }

        @Override
        public String describe() {
            return "confirming";
        }

        @Override
        public boolean confirmsAsynchronously() {
            return true;
        }
    }

    @Test
    void aSinkThatConfirmsLaterCountsWrittenOnlyWhenAcknowledgedAndFailuresAsLossPerCpuFromItsOwnThread() throws Exception {
        SinkCounters counters = new SinkCounters();
        ConfirmingSink sink = new ConfirmingSink(counters);
        SinkPipeline p = new SinkPipeline("kafka", sink, SinkPolicy.DEFAULT, counters, 4, BATCH, RecordObserver.NONE, System::nanoTime);
        SinkFanOut f = fanOut(p);
        receive(f, 0, 0, 6, 1);
        receive(f, 1, 0, 4, 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.pending() == 10 && p.queuedBytes() == 0);
        Thread.sleep(50);
        assertThat(p.recordsWritten()).as("write returned is not written").isZero();

        sink.confirmAll();

        assertThat(p.recordsWritten()).isEqualTo(5);
        assertThat(p.sinkErrors()).isEqualTo(5);
        assertThat(lossByCpu).containsEntry("node-a/0", 3L).containsEntry("node-a/1", 2L);
    }

    @Test
    void aReaderShuttingDownThatGivesUpOnASecondBlockSinkCountsItsShareAsLostThere() throws Exception {
        CollectingSink fast = new CollectingSink();
        CollectingSink stuck = new CollectingSink();
        stuck.block();
        SinkPipeline fastPipe = pipeline("none", fast, SinkPolicy.DEFAULT, 4);
        SinkPipeline stuckPipe = pipeline("jsonl", stuck, SinkPolicy.DEFAULT, 1);
        SinkFanOut f = fanOut(fastPipe, stuckPipe);
        AtomicBoolean giveUp = new AtomicBoolean(true);
        for (int i = 0; i < 4; i++) {
            SinkBatch b = f.acquire(0, ORIGIN, 1, giveUp::get);
            for (int seq = 10 * i; seq < 10 * i + 10; seq++) add(b, 0, seq, seq, seq);
            f.publish(b);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> fast.size() == 40);
        assertThat(stuckPipe.sinkErrors()).as("batches the stuck sink could not queue").isGreaterThanOrEqualTo(20);
        assertThat(lossByCpu.get("node-a/0")).isEqualTo(stuckPipe.sinkErrors());
        stuck.open();
    }
}
