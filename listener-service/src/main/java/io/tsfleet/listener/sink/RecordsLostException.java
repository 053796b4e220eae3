package io.tsfleet.listener.sink;

import java.io.IOException;
import java.util.Arrays;

/**
 * A sink lost records it had already accepted (buffered records it could not write at close, for instance). It names
 * the CPU of each lost record, so that the replica counts them where it counts every other loss: per CPU and in the
 * replica's totals. A {@code write} that throws any other exception loses the record at hand only; a {@code flush}
 * or {@code close} that throws any other exception is taken to have lost nothing.
 */
public final class RecordsLostException extends IOException {
    private final int[] cpus;

    public RecordsLostException(String message, int[] cpus, Throwable cause) {
        super(message, cause);
        this.cpus = cpus.clone();
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
