package io.tsfleet.emulator.live;

import io.tsfleet.emulator.live.netlink.ResolvedFamily;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real exit storm through the kernel backend into two listeners on disjoint masks. Each listener holds one broker
 * connection per CPU of its mask, registered on that CPU only, so every event's sequence number is attributable to a
 * CPU. Proven: every storm exit is received exactly once, by the listener (and connection) of the CPU it exited on,
 * and each connection's sequence numbers are gap-free — nothing was lost anywhere, foreign exits included.
 */
class KernelStormTest {
    private static final Duration QUIET = Duration.ofMillis(500);
    /** Large enough that the storm cannot overflow a queue: SO_RCVBUFFORCE 16 MiB = 32 MiB effective, ~26k events. */
    private static final int RCVBUF = 16 << 20;

    private ResolvedFamily taskstats;
    private KernelBackend backend;

    @BeforeEach
    void start() throws IOException {
        taskstats = LiveKernel.assumeAvailable();
        backend = KernelBackend.start(KernelBackendSettings.withToken(null), LiveSystem.read(LiveSystem.SYSFS_CPU), LiveKernel.node(), SpiClient.ROOT_PEER);
    }

    @AfterEach
    void stop() {
        if (backend != null) backend.close();
    }

    /** One received exit event: the CPU of the connection it came in on, and its identity. */
    record Received(String listener, int cpu, int seq, long pid, long ppid, long btime, String comm) {
        String task() {
            return pid + "@" + btime;
        }
    }

    @Test
    void everyStormExitReachesTheListenerOfItsCpuExactlyOnceWithGapFreeSequences() throws Exception {
        StormTool storm = StormTool.build();
        CpuSet possible = backend.system().possibleCpus();
        int[] cpus = possible.toArray();
        assertThat(cpus.length).as("two disjoint masks need two CPUs").isGreaterThanOrEqualTo(2);
        CpuSet maskA = CpuSet.of(java.util.Arrays.copyOfRange(cpus, 0, cpus.length / 2));
        CpuSet maskB = possible.minus(maskA);

        ConcurrentLinkedQueue<Received> received = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<SpiClient> clients = new ArrayList<>();
        List<Thread> readers = new ArrayList<>();
        try {
            for (var listener : Map.of("A", maskA, "B", maskB).entrySet()) {
                for (int cpu : listener.getValue().toArray()) {
                    SpiClient c = new SpiClient(backend, RecordingConnection.LOOPBACK);
                    clients.add(c);
                    assertThat(Conversation.ask(c, Requests.sockSetRcvbuf(backend.sockFamilyId(), RCVBUF, true)).errno()).isZero();
                    assertThat(Conversation.ask(c, Requests.register(taskstats.id(), Integer.toString(cpu))).errno()).isZero();
                    readers.add(Thread.ofVirtual().start(() -> read(listener.getKey(), cpu, c, received, problems, stop)));
                }
            }

            StormTool.Report report = storm.run(1.0, cpus.length);
            Thread.sleep(QUIET.toMillis());
            stop.set(true);
            for (Thread t : readers) t.join(10_000);

            System.out.printf("storm: %d child exits, %d events received, per CPU %s%n", report.childExits(), received.size(),
                    received.stream().collect(Collectors.groupingBy(Received::cpu, Collectors.counting())));
            assertThat(problems).as("overruns or undecodable messages").isEmpty();
            Map<Long, StormTool.Worker> workers = report.workers().stream().collect(Collectors.toMap(StormTool.Worker::pid, w -> w));

            // gap-free sequence numbers per connection (= per CPU): nothing was lost, foreign exits included
            Map<Integer, List<Received>> byCpu = received.stream().collect(Collectors.groupingBy(Received::cpu));
            for (var e : byCpu.entrySet()) {
                List<Received> events = e.getValue();
                for (int i = 1; i < events.size(); i++) {
                    assertThat(events.get(i).seq()).as("seq after %s on CPU %d", events.get(i - 1), e.getKey())
                            .isEqualTo(events.get(i - 1).seq() + 1);
                }
            }

            // every storm child exactly once, on the connection of its worker's CPU, in the listener owning that CPU
            Map<String, List<Received>> children = received.stream().filter(r -> workers.containsKey(r.ppid()) && r.comm().equals("storm"))
                    .collect(Collectors.groupingBy(Received::task));
            assertThat(children.values()).allSatisfy(copies -> assertThat(copies).hasSize(1));
            assertThat((long) children.size()).isEqualTo(report.childExits()).isGreaterThan(1000);
            for (List<Received> copies : children.values()) {
                Received r = copies.getFirst();
                int workerCpu = workers.get(r.ppid()).cpu();
                assertThat(r.cpu()).isEqualTo(workerCpu);
                assertThat(r.listener()).isEqualTo(maskA.contains(workerCpu) ? "A" : "B");
            }
            // each worker's own exit too, on its CPU
            Map<Long, List<Received>> workerExits = received.stream().filter(r -> workers.containsKey(r.pid()))
                    .collect(Collectors.groupingBy(Received::pid));
            assertThat(workerExits).hasSize(workers.size());
            workerExits.forEach((pid, copies) -> assertThat(copies).singleElement()
                    .satisfies(r -> assertThat(r.cpu()).isEqualTo(workers.get(pid).cpu())));
        } finally {
            stop.set(true);
            for (SpiClient c : clients) c.close();
        }
    }

    private void read(String listener, int cpu, SpiClient c, ConcurrentLinkedQueue<Received> out, ConcurrentLinkedQueue<String> problems,
                      AtomicBoolean stop) {
        try {
            while (true) {
                Optional<NetlinkMessage> m = c.next(Duration.ofMillis(100));
                if (m.isEmpty()) {
                    if (stop.get()) return;
                    continue;
                }
                NetlinkMessage msg = m.get();
                if (NetlinkError.isOverrun(msg)) {
                    problems.add("ENOBUFS on CPU " + cpu);
                } else if (msg.type() == taskstats.id() && msg.portId() == 0) {
                    var agg = Conversation.event(msg).pid().orElseThrow();
                    Taskstats s = agg.stats();
                    out.add(new Received(listener, cpu, msg.seq(), agg.id(), s.get(TaskstatsField.AC_PPID), s.get(TaskstatsField.AC_BTIME64), s.comm()));
                } else {
                    problems.add("unexpected message " + msg + " on CPU " + cpu);
                }
            }
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            problems.add("reader of CPU " + cpu + " failed: " + e);
        }
    }
}
