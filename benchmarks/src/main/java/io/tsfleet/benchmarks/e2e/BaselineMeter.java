package io.tsfleet.benchmarks.e2e;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** The raw loopback baseline ({@link LoopbackBaseline}) measured several times in a row: its spread. */
public final class BaselineMeter {
    private final int connections;
    private final Duration duration;
    private final int runs;

    public BaselineMeter(int connections, Duration duration, int runs) {
        if (connections < 1 || runs < 1) throw new IllegalArgumentException("connections and runs must be >= 1");
        this.connections = connections;
        this.duration = duration;
        this.runs = runs;
    }

    public Spread measure() throws IOException, InterruptedException {
        List<Double> v = new ArrayList<>();
        for (int i = 0; i < runs; i++) v.add(LoopbackBaseline.eventsPerSecond(connections, duration));
        return new Spread(v);
    }

    public int connections() {
        return connections;
    }
}
