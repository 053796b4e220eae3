package io.tsfleet.benchmarks.e2e;

import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

class HarnessPiecesTest {

    @Test
    void prometheusTextIsSummedOverLabelSetsAndAMissingMetricIsAnError() {
        PrometheusSamples s = PrometheusSamples.parse("""
                # HELP tsfleet_broker_events_dropped_total dropped
                # TYPE tsfleet_broker_events_dropped_total counter
                tsfleet_broker_events_dropped_total{application="emulator",reason="congested"} 12.0
                tsfleet_broker_events_dropped_total{application="emulator",reason="rcvbuf_full"} 3.0
                tsfleet_broker_events_dropped_total{application="emulator",reason="connection_refused"} 100.0
                tsfleet_broker_exits_total 1.5E7
                jvm_gc_pause_seconds_max{action="end of minor GC"} NaN
                """);
        assertThat(s.sum("tsfleet_broker_events_dropped_total")).isEqualTo(115);
        assertThat(s.sum("tsfleet_broker_events_dropped_total", "reason=\"congested\"")).isEqualTo(12);
        assertThat(s.sum("tsfleet_broker_exits_total")).isEqualTo(15_000_000);
        assertThat(s.has("jvm_gc_pause_seconds_max")).isTrue();
        assertThatThrownBy(() -> s.sum("tsfleet_listener_records_total")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> PrometheusSamples.parse("metric_without_value")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> PrometheusSamples.parse("m{a=\"b\" 1")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void sinkSpecsAreLabelledByTheirSchemesAndStdoutIsFoundInAList() {
        assertThat(SinkBenchmark.label("jsonl:/tmp/x.jsonl")).isEqualTo("jsonl");
        assertThat(SinkBenchmark.label("jsonl:/tmp/x.jsonl+stdout")).isEqualTo("jsonl+stdout");
        assertThat(SinkBenchmark.label("KAFKA:topic")).isEqualTo("kafka");
        assertThat(SinkBenchmark.hasStdout("jsonl:/tmp/x.jsonl,stdout")).isTrue();
        assertThat(SinkBenchmark.hasStdout("jsonl:/tmp/stdout")).isFalse();
        assertThat(SinkBenchmark.hasStdout("none")).isFalse();
        SinkBenchmark.Measurement m = new SinkBenchmark.Measurement(1_000_000, 2, 1.6, 0.4, 1.2, 0);
        assertThat(m.perCore()).isEqualTo(625_000);
        assertThat(m.recordsPerSecond()).isEqualTo(500_000);
        assertThat(m.replicaCores()).isEqualTo(0.8);
        assertThat(m.systemShare()).isEqualTo(0.25);
    }

    @Test
    void masksSplitTheMachineIntoContiguousNearlyEqualRanges() {
        assertThat(Masks.contiguous(64, 4)).containsExactly("0-15", "16-31", "32-47", "48-63");
        assertThat(Masks.contiguous(5, 2)).containsExactly("0-2", "3-4");
        assertThat(Masks.contiguous(2, 2)).containsExactly("0", "1");
        assertThatThrownBy(() -> Masks.contiguous(2, 3)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void optionsAreTypedAndUnknownOrMalformedOnesAreRejected() {
        Options o = Options.parse(List.of("--cpus", "64,4096", "--window=3s", "--jfr"), Set.of("jfr"));
        assertThat(o.integers("cpus", "1", 1, 8192, "")).containsExactly(64, 4096);
        assertThat(o.duration("window", "4s", "")).isEqualTo(Duration.ofSeconds(3));
        assertThat(o.duration("settle", "500ms", "")).isEqualTo(Duration.ofMillis(500));
        assertThat(o.flag("jfr", "")).isTrue();
        o.rejectUnknown();

        Options unknown = Options.parse(List.of("--cpu", "64"), Set.of());
        unknown.integers("cpus", "1", 1, 8192, "");
        assertThatThrownBy(unknown::rejectUnknown).hasMessageContaining("unknown option --cpu");
        assertThatThrownBy(() -> Options.parse(List.of("--cpus"), Set.of())).hasMessageContaining("needs a value");
        assertThatThrownBy(() -> Options.parse(List.of("--a", "1", "--a", "2"), Set.of())).hasMessageContaining("twice");
        assertThatThrownBy(() -> Options.parse(List.of("--cpus", "0"), Set.of()).integers("cpus", "1", 1, 8192, ""))
                .hasMessageContaining("not within");
        assertThatThrownBy(() -> Options.parse(List.of("--window", "3"), Set.of()).duration("window", "1s", "")).hasMessageContaining("duration");
    }

    @Test
    void theEmulatorsCollectorIsAnOptionWithTwoChoices() {
        assertThat(CommonOptions.read(Options.parse(List.of(), Set.of())).emulatorJvmArgs()).containsExactly("-Xmx1g", "-XX:+UseParallelGC");
        assertThat(CommonOptions.read(Options.parse(List.of("--emulator-gc", "G1"), Set.of())).emulatorJvmArgs()).contains("-XX:+UseG1GC");
        assertThat(CommonOptions.read(Options.parse(List.of("--emulator-gc", "G1"), Set.of())).listenerJvmArgs()).containsExactly("-Xmx512m");
        assertThatThrownBy(() -> CommonOptions.read(Options.parse(List.of("--emulator-gc", "Z"), Set.of()))).hasMessageContaining("--emulator-gc");
    }

    @Test
    void spreadGivesMedianAndRange() {
        Spread s = new Spread(List.of(3.0, 1.0, 2.0, 10.0));
        assertThat(s.median()).isEqualTo(2.5);
        assertThat(s.range()).isEqualTo("1..10");
        assertThatThrownBy(() -> new Spread(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void procfsGivesCpuTimeOfThisProcessAndTheMachine() {
        assumeTrue(Files.isReadable(Path.of("/proc/stat")), "needs Linux procfs");
        assertThat(CpuMeter.processSeconds(ProcessHandle.current().pid())).isGreaterThan(0);
        assertThat(CpuMeter.machineBusySeconds()).isGreaterThan(0);
        assertThat(CpuMeter.processSeconds(Long.MAX_VALUE)).isZero();

        CpuMeter.Window w = CpuMeter.window(java.util.List.of(ProcessHandle.current().pid()), java.util.List.of());
        long until = System.nanoTime() + 300_000_000L;
        long spin = 0;
        while (System.nanoTime() < until) spin += spin ^ until;   // a busy thread for 0.3 s
        CpuMeter.Cores c = w.cores();
        assertThat(spin).isNotEqualTo(1);
        assertThat(c.first()).as("this process, busy").isGreaterThan(0.2);
        assertThat(c.second()).as("no processes").isZero();
        assertThat(c.machine()).isGreaterThan(0);
    }

    @Test
    void toolJsonIsReadAtTheTopLevelOnly() {
        String storm = "{\"seconds\": 1.000, \"workers\": 2, \"per_worker\": [{\"pid\": 1, \"cpu\": 0, \"exits\": 3392}, {\"pid\": 2, \"cpu\": 1, \"exits\": 3328}], \"exits\": 6720, \"rate_per_s\": 6583}";
        assertThat(JsonFields.longField(storm, "exits")).isEqualTo(6720);
        assertThat(JsonFields.doubleField(storm, "rate_per_s")).isEqualTo(6583);
        assertThatThrownBy(() -> JsonFields.longField(storm, "pid")).hasMessageContaining("pid");
    }

    @Test
    void theStormBuffersSettingsBecomeJvmOptionsForTheFleetThatScriptsFleetStarts() {
        var small = new StormBenchmark.Buffer("rcvbuf_small", List.of("16384"), List.of("--tsfleet.emulator.live.receive-buffer-floor=0"),
                List.of("--tsfleet.listener.receive-buffer=16384B", "--tsfleet.listener.receive-buffer-force=false"));
        assertThat(small.javaOpts()).isEqualTo("-Xmx384m -Dtsfleet.emulator.live.receive-buffer-floor=0 "
                + "-Dtsfleet.listener.receive-buffer=16384B -Dtsfleet.listener.receive-buffer-force=false");
        assertThat(new StormBenchmark.Buffer("default", List.of(), List.of(), List.of()).javaOpts()).isEqualTo("-Xmx384m");
    }
}
