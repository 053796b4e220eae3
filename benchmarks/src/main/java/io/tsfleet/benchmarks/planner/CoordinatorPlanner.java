package io.tsfleet.benchmarks.planner;

import io.tsfleet.protocol.cpu.CpuSet;

import java.io.IOException;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The coordinator's planner ({@code io.tsfleet.coordinator.domain.plan}: {@code StickyBalancedAssignor} behind the
 * {@code CpuAssignor} SPI), loaded from the coordinator's build output at run time and called through method handles.
 *
 * <p>Why not a Maven dependency: {@code coordinator/target/coordinator.jar} is a Spring Boot repackaged jar (classes
 * under {@code BOOT-INF/classes}), which cannot be a compile dependency, and this module copies no coordinator code.
 * The planner's classes depend only on the JDK and the protocol module, which this class loader's parent provides, so
 * the benchmark runs the very classes the service runs. The call overhead of a method handle is nanoseconds against
 * plans that take milliseconds.
 *
 * <p>Where the classes come from: the system property {@code tsfleet.coordinator.classpath} (a directory of classes, a
 * plain jar, or the Boot jar), else {@code coordinator/target/coordinator.jar}, else {@code coordinator/target/classes},
 * relative to the working directory (run from the repository root).
 */
public final class CoordinatorPlanner {
    private static final String PLAN = "io.tsfleet.coordinator.domain.plan.";

    private final MethodHandle activeReplica;
    private final MethodHandle inputOf;
    private final MethodHandle withMode;
    private final Object coverageOnly;
    private final Object assignor;
    private final MethodHandle assign;
    private final MethodHandle masks;
    private final MethodHandle moves;
    private final MethodHandle unplaced;
    private final MethodHandle imbalance;
    private final String source;

    private CoordinatorPlanner(ClassLoader loader, String source) throws ReflectiveOperationException {
        MethodHandles.Lookup l = MethodHandles.publicLookup();
        Class<?> slot = loader.loadClass(PLAN + "ReplicaSlot");
        Class<?> input = loader.loadClass(PLAN + "PlanningInput");
        Class<?> mode = loader.loadClass(PLAN + "PlanningMode");
        Class<?> spi = loader.loadClass(PLAN + "CpuAssignor");
        Class<?> target = loader.loadClass(PLAN + "TargetAssignment");
        activeReplica = l.findStatic(slot, "active", MethodType.methodType(slot, String.class, double.class));
        inputOf = l.findStatic(input, "of", MethodType.methodType(input, CpuSet.class, List.class, Map.class, double[].class));
        withMode = l.findVirtual(input, "withMode", MethodType.methodType(input, mode));
        coverageOnly = mode.getField("COVERAGE_ONLY").get(null);
        assignor = loader.loadClass(PLAN + "StickyBalancedAssignor").getConstructor().newInstance();
        assign = l.findVirtual(spi, "assign", MethodType.methodType(target, input));
        masks = l.findVirtual(target, "masks", MethodType.methodType(Map.class));
        moves = l.findVirtual(target, "moves", MethodType.methodType(List.class));
        unplaced = l.findVirtual(target, "unplaced", MethodType.methodType(CpuSet.class));
        imbalance = l.findVirtual(target, "imbalanceRatio", MethodType.methodType(double.class));
        this.source = source;
    }

    /** Loads the planner from the configured or default location; fails with a message saying what to build. */
    public static CoordinatorPlanner load() {
        String configured = System.getProperty("tsfleet.coordinator.classpath");
        return load(configured != null ? List.of(Path.of(configured))
                : List.of(Path.of("coordinator/target/coordinator.jar"), Path.of("coordinator/target/classes")));
    }

    /** Loads the planner from the first of {@code candidates} that exists. */
    public static CoordinatorPlanner load(List<Path> candidates) {
        for (Path p : candidates) {
            if (!Files.exists(p)) continue;
            try {
                URL url = classesUrl(p.toAbsolutePath());
                return new CoordinatorPlanner(new URLClassLoader(new URL[]{url}, CoordinatorPlanner.class.getClassLoader()), url.toString());
            } catch (ReflectiveOperationException | IOException e) {
                throw new IllegalStateException("cannot load the coordinator's planner from " + p + ": " + e, e);
            }
        }
        throw new IllegalStateException("the coordinator's classes are not built (looked for " + candidates
                + " from " + Path.of("").toAbsolutePath() + "): run from the repository root after "
                + "./mvnw -B -q -o -pl coordinator -am package -DskipTests, or set -Dtsfleet.coordinator.classpath=...");
    }

    private static URL classesUrl(Path p) throws IOException {
        if (Files.isDirectory(p)) return p.toUri().toURL();
        try (var jar = new java.util.jar.JarFile(p.toFile())) {
            boolean boot = jar.getEntry("BOOT-INF/classes/") != null;
            return boot ? new URL("jar:" + p.toUri() + "!/BOOT-INF/classes/") : p.toUri().toURL();
        }
    }

    /** Where the classes were loaded from. */
    public String source() {
        return source;
    }

    /** A live replica with a measured capacity (records/s). */
    public Object replica(String id, double capacityPerSecond) {
        return call(() -> activeReplica.invoke(id, capacityPerSecond));
    }

    /** A full-planning input with default settings and no pins. */
    public Object input(CpuSet possible, List<Object> replicas, Map<String, CpuSet> current, double[] cpuLoads) {
        return call(() -> inputOf.invoke(possible, replicas, current, cpuLoads));
    }

    /** The same input in coverage-only mode (only CPUs without an owner get one). */
    public Object coverageOnly(Object input) {
        return call(() -> withMode.invoke(input, coverageOnly));
    }

    /** Plans. */
    public Object assign(Object input) {
        return call(() -> assign.invoke(assignor, input));
    }

    @SuppressWarnings("unchecked")
    public Map<String, CpuSet> masks(Object plan) {
        return (Map<String, CpuSet>) call(() -> masks.invoke(plan));
    }

    public int moves(Object plan) {
        return ((List<?>) call(() -> moves.invoke(plan))).size();
    }

    public CpuSet unplaced(Object plan) {
        return (CpuSet) call(() -> unplaced.invoke(plan));
    }

    public double imbalance(Object plan) {
        return (double) call(() -> imbalance.invoke(plan));
    }

    @FunctionalInterface
    private interface Invocation {
        Object invoke() throws Throwable;
    }

    private static Object call(Invocation i) {
        try {
            return i.invoke();
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
