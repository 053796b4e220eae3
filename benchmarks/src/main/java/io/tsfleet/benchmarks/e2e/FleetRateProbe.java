package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * A trial against a running fleet: set a uniform workload of the offered rate on the emulator, let it settle (the
 * step from idle, JIT and queue start-up effects are not measured), measure one window, then set the rate to 0 and
 * wait until the fleet is quiet (every queued record delivered, congestion over) so that the next trial starts clean.
 */
public final class FleetRateProbe implements LossFreeSearch.RateProbe {
    private final Http http;
    private final URI workload;
    private final int cpus;
    private final FleetGauge gauge;
    private final Duration settle;
    private final Duration window;
    private final Duration quietTimeout;
    private volatile List<Long> emulatorPids = List.of();
    private volatile List<Long> replicaPids = List.of();

    public FleetRateProbe(Http http, URI emulatorBase, int cpus, FleetGauge gauge, Duration settle, Duration window, Duration quietTimeout) {
        this.http = http;
        this.workload = emulatorBase.resolve("/api/v1/workload");
        this.cpus = cpus;
        this.gauge = gauge;
        this.settle = settle;
        this.window = window;
        this.quietTimeout = quietTimeout;
    }

    @Override
    public RateTrial run(double offeredPerSecond) throws IOException, InterruptedException {
        setRate(offeredPerSecond);
        Thread.sleep(settle.toMillis());
        CpuMeter.Window cpu = CpuMeter.window(emulatorPids, replicaPids);   // its own interval: the scrapes take time too
        FleetCounters start = gauge.sample();
        Thread.sleep(window.toMillis());
        FleetCounters end = gauge.sample();
        CpuMeter.Cores cores = cpu.cores();
        setRate(0);
        awaitQuiet();
        RateTrial t = RateTrial.between(offeredPerSecond, start, end);
        return emulatorPids.isEmpty() ? t : t.withCpu(share(cores));
    }

    private static RateTrial.CpuShare share(CpuMeter.Cores c) {
        return new RateTrial.CpuShare(c.first(), c.second(), c.machine());
    }

    /** Cores each part uses at rate 0 over {@code window}: the fixed cost of the connections, threads and timers. */
    public RateTrial.CpuShare idleCores(Duration window) throws IOException, InterruptedException {
        setRate(0);
        CpuMeter.Window cpu = CpuMeter.window(emulatorPids, replicaPids);
        Thread.sleep(window.toMillis());
        return share(cpu.cores());
    }

    /** The processes whose CPU time each trial reports. */
    public FleetRateProbe measuringCpuOf(List<Long> emulator, List<Long> replicas) {
        this.emulatorPids = List.copyOf(emulator);
        this.replicaPids = List.copyOf(replicas);
        return this;
    }

    /** Runs the workload for a while without measuring (JIT warm-up of every JVM), then waits for quiet. */
    public void warmUp(double offeredPerSecond, Duration duration) throws IOException, InterruptedException {
        setRate(offeredPerSecond);
        Thread.sleep(duration.toMillis());
        setRate(0);
        awaitQuiet();
    }

    public void setRate(double totalPerSecond) throws IOException, InterruptedException {
        http.put(workload, String.format(Locale.ROOT, "{\"baseRate\":%.4f}", totalPerSecond / cpus));
    }

    /** Waits until neither exits nor records move between two samples 250 ms apart. */
    public void awaitQuiet() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + quietTimeout.toNanos();
        FleetCounters last = gauge.sample();
        while (System.nanoTime() < deadline) {
            Thread.sleep(250);
            FleetCounters now = gauge.sample();
            if (now.records() == last.records() && now.exits() == last.exits() && now.lost() == last.lost()) return;
            last = now;
        }
        throw new IOException("the fleet did not become quiet within " + quietTimeout + " after the workload stopped");
    }
}
