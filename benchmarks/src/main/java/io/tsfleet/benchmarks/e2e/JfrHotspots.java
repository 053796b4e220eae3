package io.tsfleet.benchmarks.e2e;

import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Where the time goes: summarises the execution samples of JFR recordings (as written by the harness with
 * {@code --jfr}) by the method on top of the stack and by the first project frame ({@code io.tsfleet.*}) below it, so
 * that library time (Micrometer, NIO, the JDK's collections) is charged to the project code that called it.
 *
 * <p>{@code java -cp benchmarks/target/benchmarks.jar io.tsfleet.benchmarks.e2e.JfrHotspots [--top N] file.jfr ...}
 */
public final class JfrHotspots {
    private JfrHotspots() {
    }

    public static void main(String[] args) throws IOException {
        int top = 15;
        int i = 0;
        if (args.length >= 2 && args[0].equals("--top")) {
            top = Integer.parseInt(args[1]);
            i = 2;
        }
        if (i >= args.length) {
            System.err.println("usage: JfrHotspots [--top N] recording.jfr ...");
            System.exit(2);
        }
        for (; i < args.length; i++) System.out.print(summarise(Path.of(args[i]), top));
    }

    /** The report for one recording. */
    public static String summarise(Path jfr, int top) throws IOException {
        Map<String, Integer> topFrames = new HashMap<>();
        Map<String, Integer> projectFrames = new HashMap<>();
        int samples = 0;
        for (RecordedEvent e : RecordingFile.readAllEvents(jfr)) {
            if (!e.getEventType().getName().equals("jdk.ExecutionSample")) continue;
            RecordedStackTrace st = e.getStackTrace();
            if (st == null || st.getFrames().isEmpty()) continue;
            samples++;
            List<RecordedFrame> frames = st.getFrames();
            topFrames.merge(name(frames.getFirst()), 1, Integer::sum);
            String project = "(no io.tsfleet frame: JDK/framework threads)";
            for (RecordedFrame f : frames) {
                if (f.getMethod().getType().getName().startsWith("io.tsfleet.")) {
                    project = name(f);
                    break;
                }
            }
            projectFrames.merge(project, 1, Integer::sum);
        }
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "== %s: %d execution samples%n", jfr.getFileName(), samples));
        b.append("-- by top frame\n").append(table(topFrames, samples, top));
        b.append("-- by first io.tsfleet frame (library time charged to its caller)\n").append(table(projectFrames, samples, top));
        return b.toString();
    }

    private static String name(RecordedFrame f) {
        return f.getMethod().getType().getName() + "." + f.getMethod().getName();
    }

    private static String table(Map<String, Integer> counts, int total, int top) {
        StringBuilder b = new StringBuilder();
        Map<String, Integer> sorted = new LinkedHashMap<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(top)
                .forEach(en -> sorted.put(en.getKey(), en.getValue()));
        sorted.forEach((k, v) -> b.append(String.format(Locale.ROOT, "%6.1f%%  %s%n", 100.0 * v / Math.max(1, total), k)));
        return b.toString();
    }
}
