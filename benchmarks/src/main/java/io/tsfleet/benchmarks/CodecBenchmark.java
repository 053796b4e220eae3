package io.tsfleet.benchmarks;

import io.tsfleet.protocol.netlink.MalformedMessageException;
import io.tsfleet.protocol.netlink.NetlinkHeader;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NetlinkStreamDecoder;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.SplittableRandom;

/**
 * Records decoded per second per core: a receive buffer of {@value #EVENTS} back-to-back 596-byte exit events,
 * decoded in place (the listener's hot path: frame length, then the fields read straight from the buffer) and,
 * for comparison, into objects ({@link TaskstatsEvent#decode}). Run with {@code -prof gc} for allocation per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class CodecBenchmark {
    static final int EVENTS = 1024;
    private static final TaskstatsField[] HOT_FIELDS = {
            TaskstatsField.AC_PID, TaskstatsField.AC_TGID, TaskstatsField.AC_EXITCODE, TaskstatsField.CPU_DELAY_TOTAL,
            TaskstatsField.BLKIO_DELAY_TOTAL, TaskstatsField.SWAPIN_DELAY_TOTAL, TaskstatsField.FREEPAGES_DELAY_TOTAL,
            TaskstatsField.THRASHING_DELAY_TOTAL, TaskstatsField.COMPACT_DELAY_TOTAL, TaskstatsField.WPCOPY_DELAY_TOTAL,
            TaskstatsField.IRQ_DELAY_TOTAL, TaskstatsField.AC_ETIME, TaskstatsField.AC_UTIME, TaskstatsField.AC_STIME};

    private ByteBuffer stream;
    private final NetlinkStreamDecoder decoder = new NetlinkStreamDecoder();

    @Setup
    public void setUp() {
        stream = ByteBuffer.allocateDirect(EVENTS * 596).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom rnd = new SplittableRandom(7);
        for (int i = 0; i < EVENTS; i++) {
            Taskstats.Builder b = Taskstats.builder().comm("task-" + i);
            for (TaskstatsField f : TaskstatsField.values()) {
                if (f.isNumeric() && f != TaskstatsField.VERSION) b.set(f, rnd.nextLong(1, 1L << 40) & ((f.size() == 8) ? -1L : (1L << 8 * f.size()) - 1));
            }
            Taskstats t = b.build();
            TaskstatsEvent.exit(i, t.get(TaskstatsField.AC_PID), t).encode(31).writeTo(stream);
        }
        stream.flip();
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public long decodeInPlace() throws MalformedMessageException {
        ByteBuffer buf = stream.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        long acc = 0;
        int frame;
        while ((frame = decoder.frameLength(buf)) > 0) {
            int at = buf.position();
            acc += NetlinkHeader.seq(buf, at);
            for (TaskstatsField f : HOT_FIELDS) acc += Taskstats.read(buf, at + 36, f);
            buf.position(at + frame);
        }
        return acc;
    }

    @Benchmark
    @OperationsPerInvocation(EVENTS)
    public void decodeToObjects(Blackhole bh) throws MalformedMessageException {
        ByteBuffer buf = stream.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        NetlinkMessage m;
        while ((m = decoder.next(buf)) != null) bh.consume(TaskstatsEvent.decode(m));
    }
}
