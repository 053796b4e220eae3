package io.tsfleet.benchmarks.e2e;

import java.io.PrintStream;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The end-to-end harness: {@code java -cp benchmarks/target/benchmarks.jar io.tsfleet.benchmarks.e2e.Harness <command>
 * [--option value ...]}, run from the repository root. Progress goes to stdout as {@code #} comments, every measurement
 * as one {@code RESULT} line ({@link SummaryLine}); the machine, the date and the load average during the run frame the
 * output. Every process the harness starts is stopped when it ends, also on failure or Ctrl-C.
 *
 * <ul>
 *   <li>{@code fleet}: throughput and scaling against the emulator ({@link FleetBenchmark});</li>
 *   <li>{@code baseline}: only the raw loopback baseline;</li>
 *   <li>{@code storm}: the live kernel's exit storm through a plain listener and through the fleet ({@link StormBenchmark});</li>
 *   <li>{@code rebalance}: hot-spot convergence with the coordinator ({@link RebalanceBenchmark});</li>
 *   <li>{@code fanout}: the emulator's fan-out to raw listeners, events/s delivered ({@link FanoutBenchmark});</li>
 *   <li>{@code coordinator-load}: one coordinator's CPU under simulated node agents and replicas ({@link CoordinatorLoadBenchmark});</li>
 *   <li>{@code sinks}: records per replica core-second for each sink spec, as a ratio to {@code none} ({@link SinkBenchmark}).</li>
 * </ul>
 * {@code <command> --help} lists a command's options.
 */
public final class Harness {
    private static final Set<String> FLAGS = Set.of("jfr", "help", "no-baseline");

    private Harness() {
    }

    public static void main(String[] args) throws Exception {
        PrintStream out = System.out;
        if (args.length == 0) {
            System.err.println("usage: Harness fleet|baseline|storm|rebalance|fanout|coordinator-load|sinks [--option value ...]   (<command> --help for the options)");
            System.exit(2);
        }
        Options o;
        Runnable command;
        try {
            o = Options.parse(Arrays.asList(args).subList(1, args.length), FLAGS);
            command = command(args[0], o, out);
            boolean help = o.flag("help", "show the options");
            o.rejectUnknown();
            if (help) {
                out.println(o.usage());
                return;
            }
        } catch (IllegalArgumentException e) {
            System.err.println("error: " + e.getMessage());
            System.exit(2);
            return;
        }
        try (RunContext ctx = new RunContext()) {
            out.println(ctx.header());
            out.println("# command: " + String.join(" ", args));
            try {
                command.run();
            } finally {
                out.println(ctx.footer());
            }
        }
    }

    /** Reads the command's options (so that unknown ones are rejected before anything starts) and returns its body. */
    private static Runnable command(String name, Options o, PrintStream out) {
        return switch (name) {
            case "fleet" -> {
                FleetBenchmark b = FleetBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            case "baseline" -> {
                List<Integer> conns = o.integers("connections", "1,2,4,64", 1, 8192, "connection counts to measure");
                int batch = o.integer("batch-bytes", LoopbackBaseline.BULK_BATCH_BYTES, 1, LoopbackBaseline.BULK_BATCH_BYTES, "bytes per socket write");
                Duration d = o.duration("duration", "2s", "length of one measurement");
                int runs = o.integer("runs", 3, 1, 50, "measurements per connection count");
                yield unchecked(() -> {
                    for (int c : conns) {
                        Spread s = new BaselineMeter(new LoopbackBaseline.Shape(c, batch), d, runs).measure();
                        out.println(new SummaryLine("baseline.loopback.c" + c + ".b" + batch, s.median(), "events/s", Double.NaN)
                                .with("range", s.range()).with("runs", runs).format());
                    }
                });
            }
            case "storm" -> {
                StormBenchmark b = StormBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            case "rebalance" -> {
                RebalanceBenchmark b = RebalanceBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            case "fanout" -> {
                FanoutBenchmark b = FanoutBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            case "coordinator-load" -> {
                CoordinatorLoadBenchmark b = CoordinatorLoadBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            case "sinks" -> {
                SinkBenchmark b = SinkBenchmark.fromOptions(o, out);
                yield unchecked(b::run);
            }
            default -> throw new IllegalArgumentException("unknown command '" + name + "' (fleet, baseline, storm, rebalance, fanout, coordinator-load, sinks)");
        };
    }

    @FunctionalInterface
    private interface Body {
        void run() throws Exception;
    }

    private static Runnable unchecked(Body b) {
        return () -> {
            try {
                b.run();
            } catch (RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IllegalStateException(e.getMessage() == null ? e.toString() : e.getMessage(), e);
            }
        };
    }

    static String fmt(double d) {
        return String.format(Locale.ROOT, "%.2f", d);
    }
}
