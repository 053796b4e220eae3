package io.tsfleet.emulator.api;

import io.swagger.v3.oas.annotations.Operation;
import io.tsfleet.emulator.emulated.kernel.CpuSnapshot;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.ExitResult;
import io.tsfleet.emulator.emulated.kernel.ExitSpec;
import io.tsfleet.emulator.emulated.kernel.NetlinkSocket;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** The control API of the emulated kernel: inject exits, read per-CPU counters and the listeners. */
@Validated
@RestController
@RequestMapping("/api/v1")
@ConditionalOnProperty(name = "tsfleet.emulator.backend", havingValue = "emulated", matchIfMissing = true)
class EmulatorController {
    private static final Map<String, TaskstatsField> FIELDS = Arrays.stream(TaskstatsField.values())
            .collect(Collectors.toMap(TaskstatsField::cName, Function.identity()));

    private final EmulatedKernel kernel;
    private final ControlApiProperties limits;
    private final ControlApiRefusals refusals;

    EmulatorController(EmulatedKernel kernel, ControlApiProperties limits, ControlApiRefusals refusals) {
        this.kernel = kernel;
        this.limits = limits;
        this.refusals = refusals;
    }

    @Operation(summary = "End tasks now", description = "Runs the exit path: statistics, thread-group aggregate, per-CPU sequence number, fan-out. "
            + "count × threads may not pass tsfleet.emulator.api.max-exit-events (400, nothing done).")
    @PostMapping("/exits")
    ExitResponse exits(@Valid @RequestBody ExitRequest r) {
        int count = r.count() == null ? 1 : r.count();
        long events = (long) count * (r.threads() == null ? 1 : r.threads());
        if (events > limits.maxExitEvents()) {
            refusals.count(ControlApiRefusals.Reason.LIMIT);
            throw ControlApiException.badRequest("count × threads = " + count + " × " + (r.threads() == null ? 1 : r.threads()) + " = " + events
                    + " exit events, more than one request may cause (tsfleet.emulator.api.max-exit-events = " + limits.maxExitEvents() + ")");
        }
        if (count > 1 && (r.pid() != null || r.tgid() != null)) throw ControlApiException.badRequest("a batch (count > 1) cannot name a pid or tgid");
        if (!kernel.isPossible(r.cpu())) throw ControlApiException.badRequest("CPU " + r.cpu() + " is not possible (possible: " + kernel.config().possibleCpus() + ")");
        Map<TaskstatsField, Long> fields = new EnumMap<>(TaskstatsField.class);
        if (r.fields() != null) {
            r.fields().forEach((name, value) -> {
                TaskstatsField f = FIELDS.get(name);
                if (f == null) throw ControlApiException.badRequest("unknown struct taskstats field '" + name + "'");
                if (value == null) throw ControlApiException.badRequest("field '" + name + "' has no value");
                fields.put(f, value);
            });
        }
        List<ExitResponse.Group> groups = new ArrayList<>(count);
        try {
            ExitSpec spec = new ExitSpec(r.cpu(), r.tgid(), r.pid(), r.threads(), r.exitCode(), r.signal(), Boolean.TRUE.equals(r.coreDumped()),
                    r.comm(), r.uid(), r.lifetimeUs(), r.forked(), fields);
            for (int i = 0; i < count; i++) {
                ExitResult res = kernel.exit(spec);
                groups.add(new ExitResponse.Group(res.tgid(), res.threads().stream()
                        .map(t -> new ExitResponse.Event(t.pid(), t.seq() < 0 ? null : t.seq(), t.eventLength(), t.groupDead())).toList()));
            }
        } catch (IllegalArgumentException impossible) {
            throw ControlApiException.badRequest(impossible);
        }
        return new ExitResponse(r.cpu(), count, groups);
    }

    /** A live task, for CMD_GET. */
    record SpawnRequest(@jakarta.validation.constraints.Size(min = 1, max = 15) String comm, @Min(1) @Max(4096) Integer threads, @Min(0) Integer uid) {
    }

    record SpawnResponse(int tgid, List<Integer> threads) {
    }

    @Operation(summary = "Start a live task", description = "It answers TASKSTATS CMD_GET until an exit names its tgid. "
            + "Refused (409) when the machine's live tasks would pass tsfleet.emulator.api.max-live-tasks.")
    @PostMapping("/tasks")
    SpawnResponse spawn(@Valid @RequestBody SpawnRequest r) {
        int threads = r.threads() == null ? 1 : r.threads();
        int tgid;
        synchronized (this) {
            int live = kernel.liveTasks();
            if ((long) live + threads > limits.maxLiveTasks()) {
                refusals.count(ControlApiRefusals.Reason.LIMIT);
                throw ControlApiException.conflict("the machine has " + live + " live tasks; " + threads + " more would pass the limit of "
                        + limits.maxLiveTasks() + " (tsfleet.emulator.api.max-live-tasks): end some first (POST /api/v1/exits with their tgid)");
            }
            try {
                tgid = kernel.spawn(r.comm(), threads, r.uid() == null ? 0 : r.uid());
            } catch (IllegalArgumentException impossible) {
                throw ControlApiException.badRequest(impossible);
            }
        }
        return new SpawnResponse(tgid, kernel.liveThreads(tgid));
    }

    record CpuView(int cpu, long exits, long nextSeq, long events, int listeners, List<Long> portIds) {
    }

    record CpuPage(int nrCpus, int nrCpuIds, String possible, int total, int page, int size, List<CpuView> items) {
    }

    @Operation(summary = "Per-CPU counters", description = "Exits, the sequence counter and the listener entries of each CPU, paged; "
            + "filter with a cpulist and/or only CPUs with listeners.")
    @GetMapping("/cpus")
    CpuPage cpus(@RequestParam(required = false) String cpus, @RequestParam(defaultValue = "false") boolean listening,
                 @RequestParam(defaultValue = "0") @Min(0) int page, @RequestParam(defaultValue = "256") @Min(1) @Max(8192) int size) {
        CpuSet filter = kernel.config().possibleCpus();
        if (cpus != null) filter = filter.intersect(parse(cpus, "cpus"));
        List<CpuSnapshot> all = kernel.cpus(filter);
        if (listening) all = all.stream().filter(c -> c.listeners().length > 0).toList();
        int from = (int) Math.min((long) page * size, all.size());
        List<CpuView> items = all.subList(from, Math.min(from + size, all.size())).stream()
                .map(c -> new CpuView(c.cpu(), c.exits(), c.nextSeq(), c.events(), c.listeners().length,
                        Arrays.stream(c.listeners()).mapToLong(U32::toLong).boxed().toList()))
                .toList();
        return new CpuPage(kernel.config().nrCpus(), kernel.config().nrCpuIds(), kernel.config().possibleCpus().toCpulist(), all.size(), page,
                size, items);
    }

    record ListenerView(long portId, boolean connected, String cpus, int cpuCount, Integer rcvbuf, Integer rmem, Integer queuedMessages,
                        Boolean congested, Long drops, Long enobufsReported, Boolean noEnobufs, Boolean recvPaused) {
    }

    @Operation(summary = "Listeners", description = "Every port id with listener entries (a closed connection's entries stay until "
            + "the next exit on each CPU), with its socket's receive-queue state.")
    @GetMapping("/listeners")
    List<ListenerView> listeners() {
        List<ListenerView> out = new ArrayList<>();
        kernel.registrations().forEach((port, set) -> {
            var state = kernel.socket(port);
            NetlinkSocket.SocketState s = state.orElse(null);
            out.add(new ListenerView(U32.toLong(port), s != null, set.toCpulist(), set.size(),
                    s == null ? null : s.rcvbuf(), s == null ? null : s.rmem(), s == null ? null : s.queuedMessages(),
                    s == null ? null : s.congested(), s == null ? null : s.drops(), s == null ? null : s.enobufsReported(),
                    s == null ? null : s.noEnobufs(), s == null ? null : s.recvPaused()));
        });
        return out;
    }

    static CpuSet parse(String cpulist, String what) {
        try {
            return CpuSet.parse(cpulist);
        } catch (CpulistParseException e) {
            throw ControlApiException.badRequest(what + ": '" + cpulist + "' is not a cpulist: " + e.getMessage());
        }
    }
}
