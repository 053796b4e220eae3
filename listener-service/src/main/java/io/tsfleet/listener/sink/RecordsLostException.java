package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.RecordOrigin;

import java.io.IOException;
import java.util.Arrays;

/**
 * A sink lost records it had already accepted (buffered records it could not write at close, for instance). It names
 * the CPU of each lost record, so that the replica counts them where it counts every other loss: per CPU and in the
 * replica's totals. A replica may hold the same CPU number on several nodes: a sink that also names each record's
 * {@link RecordOrigin} (the view's {@code origin()}) lets the replica attribute the loss to the right (node, CPU);
 * without origins, a loss is attributed per CPU only when the replica holds that CPU on one node (else it is counted
 * in the replica's totals only). A {@code write} that throws any other exception loses the record at hand only; a {@code flush}
 * or {@code close} that throws any other exception is taken to have lost nothing.
 */
public final class RecordsLostException extends IOException {
    private final int[] cpus;
    private final RecordOrigin[] origins;

    public RecordsLostException(String message, int[] cpus, Throwable cause) {
        this(message, cpus, null, cause);
    }

    /** {@code origins[i]} is the origin of the record of {@code cpus[i]} (null: the CPU alone names the record). */
    public RecordsLostException(String message, int[] cpus, RecordOrigin[] origins, Throwable cause) {
        super(message, cause);
        if (origins != null && origins.length != cpus.length) throw new IllegalArgumentException("one origin per cpu");
        this.cpus = cpus.clone();
        this.origins = origins == null ? new RecordOrigin[cpus.length] : origins.clone();
    }

    /** The origin of every record lost, one entry per record, in the order of {@link #cpus}; an entry is null when not named. */
    public RecordOrigin[] origins() {
        return origins.clone();
    }

    /** The CPU of every record lost, one entry per record. */
    public int[] cpus() {
        return cpus.clone();
    }

    public int count() {
        return cpus.length;
    }

    @Override
    public String toString() {
        return super.toString() + " (records of CPUs " + Arrays.toString(Arrays.stream(cpus).distinct().sorted().toArray()) + ")";
    }
}
