package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The raw loopback baseline ({@link LoopbackBaseline}) in one shape, measured several times in a row: its spread. */
public final class BaselineMeter {
    private final LoopbackBaseline.Shape shape;
    private final Duration duration;
    private final int runs;

    public BaselineMeter(LoopbackBaseline.Shape shape, Duration duration, int runs) {
        if (runs < 1) throw new IllegalArgumentException("runs must be >= 1");
        this.shape = shape;
        this.duration = duration;
        this.runs = runs;
    }

    /** Bulk writes ({@link LoopbackBaseline.Shape#bulk}) over {@code connections}. */
    public BaselineMeter(int connections, Duration duration, int runs) {
        this(LoopbackBaseline.Shape.bulk(connections), duration, runs);
    }

    public Spread measure() throws IOException, InterruptedException {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < runs; i++) v.add(LoopbackBaseline.eventsPerSecond(shape, duration));
        return new Spread(v);
    }

    /** The same measurement in another shape. */
    public BaselineMeter shaped(LoopbackBaseline.Shape other) {
        return new BaselineMeter(other, duration, runs);
    }

    public int connections() {
        return shape.connections();
    }

    public LoopbackBaseline.Shape shape() {
        return shape;
    }
}
