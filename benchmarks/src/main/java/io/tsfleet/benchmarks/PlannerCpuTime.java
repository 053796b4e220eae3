package io.tsfleet.benchmarks;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The scenarios of {@link PlannerBenchmark}, timed by the planning thread's own CPU time rather than by the wall clock:
 * on a machine whose cores are shared with other work (JMH's {@code avgt} then counts the time the thread waited for a
 * core), this is the figure that says what a plan costs. Warms up for {@code rounds - 1} rounds of {@code plans} plans
 * per scenario, then prints the minimum and the median CPU time of the last round.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.tsfleet.benchmarks.PlannerCpuTime [cpus nodes replicas meanLoad
 * capacity [plans rounds]]} (default: the cluster case, 131072 1024 256 10 20000, 40 plans, 3 rounds).
 */
public final class PlannerCpuTime {
    private PlannerCpuTime() {
    }

    public static void main(String[] args) {
        PlannerBenchmark b = new PlannerBenchmark();
        b.cpus = args.length > 0 ? Integer.parseInt(args[0]) : 131_072;
        b.nodes = args.length > 1 ? Integer.parseInt(args[1]) : 1024;
        b.replicas = args.length > 2 ? Integer.parseInt(args[2]) : 256;
        b.meanLoad = args.length > 3 ? Double.parseDouble(args[3]) : 10;
        b.capacity = args.length > 4 ? Double.parseDouble(args[4]) : 20_000;
        int plans = args.length > 5 ? Integer.parseInt(args[5]) : 40;
        int rounds = args.length > 6 ? Integer.parseInt(args[6]) : 3;
        b.setUp();
        Map<String, Supplier<Object>> scenarios = new LinkedHashMap<>();
        scenarios.put("fullPlan", b::fullPlan);
        scenarios.put("replanUnchanged", b::replanUnchanged);
        scenarios.put("replanHotSpot", b::replanHotSpot);
        scenarios.put("replanReplicaLost", b::replanReplicaLost);
        scenarios.put("replanReplicaLostCoverageOnly", b::replanReplicaLostCoverageOnly);
        scenarios.put("replanReplicaJoined", b::replanReplicaJoined);
        scenarios.put("replanNodeJoined", b::replanNodeJoined);
        scenarios.put("replanNodeLeft", b::replanNodeLeft);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        for (int round = 1; round <= rounds; round++) {
            for (Map.Entry<String, Supplier<Object>> e : scenarios.entrySet()) {
                long[] cpu = new long[plans];
                for (int i = 0; i < plans; i++) {
                    long start = threads.getCurrentThreadCpuTime();
                    e.getValue().get();
                    cpu[i] = threads.getCurrentThreadCpuTime() - start;
                }
                Arrays.sort(cpu);
                if (round == rounds) {
                    System.out.printf(Locale.ROOT, "RESULT name=planner.cpu.%s value=%.3f unit=ms baseline=- ratio=- min=%.3f plans=%d%n",
                            e.getKey(), cpu[plans / 2] / 1e6, cpu[0] / 1e6, plans);
                }
            }
        }
    }
}
