package io.tsfleet.emulator.conformance;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.GenlMessage;
import io.tsfleet.protocol.netlink.MessageBuilder;
import io.tsfleet.protocol.netlink.Netlink;
import io.tsfleet.protocol.netlink.NetlinkError;
import io.tsfleet.protocol.netlink.NetlinkMessage;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.netlink.U32;
import io.tsfleet.protocol.sock.SockProtocol;
import io.tsfleet.protocol.taskstats.Taskstats;
import io.tsfleet.protocol.taskstats.TaskstatsEvent;
import io.tsfleet.protocol.taskstats.TaskstatsField;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.opentest4j.TestAbortedException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The recorded live-kernel answers ({@code conformance/kernel-oracle-public.json}, read from the directory
 * in the system property {@code tsfleet.shared.dir}, else the repository's {@code testdata/shared} found upwards from the
 * working directory) replayed over the broker
 * protocol against any backend. Subclasses say where the broker is, how to make tasks exit, and what the
 * machine looks like.
 *
 * <p>Deterministic groups are compared exactly: errno, reply count, lengths, types, flags, port ids, layout
 * of the nests, the echoed request of an error, events per exit per CPU. When the machine's shape differs
 * from the recorded one (NR_CPUS, possible CPUs), cpumask answers are derived from the machine's values
 * with the kernel grammar of the protocol module instead. Groups that depend on timing or on other
 * processes (overflow, sequence) are checked by their invariants, counting only the events of the test's
 * own tasks (matched by pid) and tolerating foreign ones. Cases that cannot be expressed over the broker
 * protocol (network namespaces) are reported as aborted, with the reason.
 */
public abstract class ConformanceSuite {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HexFormat HEX = HexFormat.of();

    /** Where the broker under test listens. */
    protected abstract InetSocketAddress brokerAddress();

    /** How tasks are made to exit. */
    protected abstract ExitProducer exits();

    /** The machine behind the broker. */
    protected abstract MachineShape machine();

    /** The pid of a task that is alive for the whole run (the live kernel: the test JVM). */
    protected abstract int aliveTaskPid();

    /** The node name the broker reports ({@code TSFLEET_SOCK ATTR_NODE}). */
    protected abstract String nodeName();

    /** The boot id of the machine behind the broker ({@code ATTR_BOOT_ID}). */
    protected abstract String bootId();

    /** The broker's token, or null when it has none (then the privilege case is aborted). */
    protected String token() {
        return null;
    }

    /**
     * Whether tasks other than the producer's can exit on the machine (a live kernel: yes). Their events
     * take sequence numbers and queue room, and when dropped they are invisible, so the overflow
     * invariants are checked as bounds instead of equalities.
     */
    protected boolean foreignExitsPossible() {
        return true;
    }

    /** Whether CGROUPSTATS cases with this file descriptor path can be replayed (the fd must mean the same). */
    protected boolean canReplayFd(String path) {
        return true;
    }

    protected BrokerTestClient connect() throws IOException {
        return BrokerTestClient.open(brokerAddress(), token());
    }

    static Path oracleFile() {
        String dir = System.getProperty("tsfleet.shared.dir");
        Path p = dir == null ? null : Path.of(dir, "conformance", "kernel-oracle-public.json");
        for (Path d = Path.of("").toAbsolutePath(); (p == null || !Files.exists(p)) && d != null; d = d.getParent()) {
            p = d.resolve("testdata/shared/conformance/kernel-oracle-public.json");
        }
        return p;
    }

    static JsonNode oracle() throws IOException {
        return JSON.readTree(Files.readString(oracleFile()));
    }

    /**
     * Not in the oracle (the kernel has no such family): every privileged connection's {@code TSFLEET_SOCK CMD_GET}
     * names the node and its current boot, the sequence epoch is that boot's, and the protocol's client reads both in its
     * handshake; a connection that has not presented the broker's token is not told.
     */
    @Test
    void sockGetNamesTheNodeAndItsCurrentBoot() throws IOException {
        try (BrokerTestClient c = connect()) {
            AttributeList a = c.sockInfo();
            assertThat(a.last(SockProtocol.ATTR_NODE).orElseThrow().string()).isEqualTo(nodeName());
            NlAttribute boot = a.last(SockProtocol.ATTR_BOOT_ID).orElseThrow();
            assertThat(boot.value()).as("a NUL-terminated string").hasSize(SockProtocol.BOOT_ID_LENGTH + 1).endsWith((byte) 0);
            assertThat(boot.string()).isEqualTo(bootId());
            assertThat(a.last(SockProtocol.ATTR_SEQ_EPOCH).orElseThrow().valueBuffer().getLong(0))
                    .isEqualTo(SockProtocol.seqEpochOf(java.util.UUID.fromString(bootId())));
            assertThat(c.client().node()).isEqualTo(nodeName());
            assertThat(c.client().bootId()).isEqualTo(bootId());
        }
        if (token() == null) return;
        try (BrokerTestClient unauthenticated = BrokerTestClient.open(brokerAddress(), null)) {
            AttributeList a = unauthenticated.sockInfo();
            assertThat(a.last(SockProtocol.ATTR_AUTHENTICATED).orElseThrow().u32()).isZero();
            assertThat(a.last(SockProtocol.ATTR_NODE)).as("not told to a connection that may not read the node's exits").isEmpty();
            assertThat(a.last(SockProtocol.ATTR_BOOT_ID)).isEmpty();
            assertThat(unauthenticated.client().node()).isNull();
        }
    }

    @TestFactory
    Stream<DynamicTest> kernelOracle() throws IOException {
        JsonNode oracle = oracle();
        JsonNode meta = oracle.get("meta");
        MachineShape recorded = new MachineShape(meta.get("nr_cpus_config").asInt(), cpus(meta.get("possible_cpus")));
        List<DynamicTest> tests = new ArrayList<>();
        for (JsonNode c : oracle.get("cases")) {
            tests.add(DynamicTest.dynamicTest(c.get("group").asString() + ": " + c.get("name").asString(),
                    () -> new CaseRun(c, recorded).run()));
        }
        assertThat(tests).as("oracle cases in " + oracleFile()).isNotEmpty();
        return tests.stream();
    }

    private static CpuSet cpus(JsonNode array) {
        CpuSet.Builder b = CpuSet.builder();
        for (JsonNode n : array) b.add(n.asInt());
        return b.build();
    }

    /** One case: its steps against fresh connections. */
    private final class CaseRun {
        final JsonNode c;
        final MachineShape recorded;
        final boolean sameShape;
        final List<BrokerTestClient> clients = new ArrayList<>();

        CaseRun(JsonNode c, MachineShape recorded) {
            this.c = c;
            this.recorded = recorded;
            this.sameShape = recorded.equals(machine());
        }

        void run() throws Exception {
            try {
                switch (c.get("group").asString()) {
                    case "family" -> family();
                    case "privilege" -> privilege();
                    case "namespace" -> throw new TestAbortedException("network and pid namespaces do not exist in the broker protocol: "
                            + "a connection is always in the init namespaces");
                    case "overflow" -> overflow();
                    case "sequence" -> sequence();
                    case "event-layout" -> eventLayout();
                    default -> {
                        if (c.get("name").asString().startsWith("listener.portid_reuse")) portIdReuse();
                        else steps();
                    }
                }
            } finally {
                for (BrokerTestClient b : clients) b.close();
            }
        }

        BrokerTestClient open() throws IOException {
            BrokerTestClient b = connect();
            clients.add(b);
            return b;
        }

        // ---------------------------------------------------------------- family

        void family() throws Exception {
            BrokerTestClient b = open();
            JsonNode step = c.get("steps").get(0);
            NetlinkMessage req = MessageBuilder.create().genlHeader(Netlink.CTRL_CMD_GETFAMILY, 1, 0).raw(HEX.parseHex(step.get("attrs_hex").asString()))
                    .build(Netlink.GENL_ID_CTRL, Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0);
            BrokerTestClient.Answer a = b.request(req);
            assertThat(a.errno()).isZero();
            assertThat(a.replies()).hasSize(1);
            NetlinkMessage reply = a.replies().getFirst();
            assertThat(reply.type()).isEqualTo(Netlink.GENL_ID_CTRL);
            assertThat(reply.portId()).isEqualTo(b.portId());
            assertThat(reply.seq()).isEqualTo(a.request().seq());
            GenlMessage g = GenlMessage.of(reply);
            assertThat(g.cmd()).isEqualTo(Netlink.CTRL_CMD_NEWFAMILY);
            AttributeList attrs = g.attributes(true);
            JsonNode o = c.get("observed");
            assertThat(attrs.last(Netlink.CTRL_ATTR_FAMILY_NAME).orElseThrow().string()).isEqualTo(o.get("family_name").asString());
            assertThat(Short.toUnsignedInt(attrs.last(Netlink.CTRL_ATTR_FAMILY_ID).orElseThrow().valueBuffer().getShort(0))).isEqualTo(b.taskstatsFamily());
            assertThat(attrs.last(Netlink.CTRL_ATTR_VERSION).orElseThrow().u32()).isEqualTo(o.get("version").asLong());
            assertThat(attrs.last(Netlink.CTRL_ATTR_HDRSIZE).orElseThrow().u32()).isEqualTo(o.get("hdrsize").asLong());
            assertThat(attrs.last(Netlink.CTRL_ATTR_MAXATTR).orElseThrow().u32()).isEqualTo(o.get("maxattr").asLong());
            List<long[]> ops = new ArrayList<>();
            for (NlAttribute op : attrs.last(Netlink.CTRL_ATTR_OPS).orElseThrow().nested().attributes()) {
                AttributeList oa = op.nested();
                ops.add(new long[] {oa.last(Netlink.CTRL_ATTR_OP_ID).orElseThrow().u32(), oa.last(Netlink.CTRL_ATTR_OP_FLAGS).orElseThrow().u32()});
            }
            List<long[]> expected = new ArrayList<>();
            for (JsonNode op : o.get("ops")) expected.add(new long[] {op.get("cmd").asLong(), op.get("flags").asLong()});
            assertThat(ops).usingRecursiveComparison().isEqualTo(expected);
            assertThat(attrs.last(Netlink.CTRL_ATTR_MCAST_GROUPS).isPresent()).isEqualTo(o.get("has_mcast_groups").asBoolean());
        }

        // ---------------------------------------------------------------- privilege

        void privilege() throws Exception {
            if (token() == null) throw new TestAbortedException("the broker has no token: every connection is privileged");
            BrokerTestClient b = new BrokerTestClient(brokerAddress());
            clients.add(b);
            int family = b.resolve(TaskstatsProtocol.FAMILY_NAME);
            JsonNode o = c.get("observed");
            assertThat(o.get("resolve_ok").asBoolean()).isTrue();
            int flags = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;
            NetlinkMessage register = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).attribute(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cstr("0"))
                    .build(family, flags, 0, 0);
            assertThat(b.request(register).errno()).as("register").isEqualTo(o.get("register_errno").asInt());
            NetlinkMessage get = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).u32(TaskstatsProtocol.CMD_ATTR_PID, aliveTaskPid())
                    .build(family, flags, 0, 0);
            assertThat(b.request(get).errno()).as("get pid").isEqualTo(o.get("get_pid_errno").asInt());
            NetlinkMessage garbage = MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).attribute(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cstr("garbage-0-x"))
                    .build(family, flags, 0, 0);
            assertThat(b.request(garbage).errno()).as("register garbage").isEqualTo(o.get("register_garbage_errno").asInt());
            NetlinkMessage cgroup = MessageBuilder.genl(TaskstatsProtocol.CGROUPSTATS_CMD_GET, 1).build(family, flags, 0, 0);
            assertThat(b.request(cgroup).errno()).as("cgroupstats without fd").isEqualTo(o.get("cgroupstats_errno").asInt());
        }

        // ---------------------------------------------------------------- request / raw / exit_probe

        void steps() throws Exception {
            Map<String, BrokerTestClient> socks = new HashMap<>();
            CpuSet registered = CpuSet.EMPTY;
            boolean derivedMaskChange = false;
            for (JsonNode step : c.get("steps")) {
                String op = step.get("op").asString();
                BrokerTestClient b = socks.computeIfAbsent(step.path("sock").asString("A"), k -> openUnchecked());
                switch (op) {
                    case "request" -> {
                        Derived d = request(b, step);
                        if (d.mask != null && d.errno == 0) {
                            registered = d.register ? registered.union(d.mask) : registered.minus(d.mask);
                            derivedMaskChange = true;
                        }
                    }
                    case "raw" -> raw(b, step);
                    case "exit_probe" -> exitProbe(b, step, derivedMaskChange ? registered : null);
                    default -> fail("step op '" + op + "' is not supported by this suite (case " + c.get("name").asString() + ")");
                }
            }
        }

        private BrokerTestClient openUnchecked() {
            try {
                return open();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }

        /** What a request did to the listener registration, as the suite understands it. */
        record Derived(int errno, CpuSet mask, boolean register) {
        }

        Derived request(BrokerTestClient b, JsonNode step) throws Exception {
            byte[] attrs;
            int flags;
            int cmd = step.path("genl_cmd").asInt(TaskstatsProtocol.CMD_GET);
            int version = step.path("genl_version").asInt(1);
            int reserved = step.path("genl_reserved").asInt(0);
            if (step.has("attrs_hex")) {
                attrs = HEX.parseHex(step.get("attrs_hex").asString());
                flags = step.get("nlmsg_flags").asInt();
            } else {
                int type = "DEREGISTER".equals(step.path("attr").asString("REGISTER")) ? TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK
                        : TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK;
                attrs = MessageBuilder.create().attribute(type, unescape(step.get("payload").asString())).payload().array();
                flags = Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK;
            }
            Long ownPid = null;
            if (step.path("self_pid_in_attrs").asBoolean(false) || "the oracle process".equals(step.path("id_meaning").asString(""))) {
                long recordedPid = step.has("self_pid_this_run") ? step.get("self_pid_this_run").asLong() : step.get("id_value").asLong();
                attrs = replaceU32(attrs, recordedPid, aliveTaskPid());
                ownPid = (long) aliveTaskPid();
            }
            if (step.has("fd_path") && !canReplayFd(step.get("fd_path").asString())) {
                throw new TestAbortedException("file descriptor " + step.get("fd_path").asString() + " cannot be replayed on this backend");
            }
            NetlinkMessage req = b.taskstatsRequest(flags, cmd, version, reserved, attrs, step.path("nlmsg_pid").asInt(0));
            BrokerTestClient.Answer a = b.request(req);

            JsonNode result = step.get("result");
            Integer expectedErrno;
            if (result != null) expectedErrno = result.get("errno").isNull() ? null : Integer.valueOf(result.get("errno").asInt());
            else expectedErrno = step.has("errno") ? step.get("errno").asInt() : 0;
            Derived derived = deriveMask(attrs, cmd);
            if (!sameShape && derived.mask() != null) expectedErrno = derived.errno();
            assertThat(a.errno()).as("errno of %s", c.get("name").asString()).isEqualTo(expectedErrno);
            if (result != null) {
                checkReplies(b, a, result.get("replies"), attrs, ownPid);
                if (result.has("ack")) checkAck(b, a, result.get("ack"));
            }
            return derived.mask() == null ? derived : new Derived(a.errno() == null ? 0 : a.errno(), derived.mask(), derived.register());
        }

        /** The answer the kernel grammar gives on this machine for the cpumask attribute that would be dispatched. */
        Derived deriveMask(byte[] attrs, int cmd) throws Exception {
            if (cmd != TaskstatsProtocol.CMD_GET) return new Derived(0, null, false);
            AttributeList list = AttributeList.parse(ByteBuffer.wrap(attrs), false);
            NlAttribute reg = list.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK).orElse(null);
            NlAttribute dereg = list.last(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK).orElse(null);
            NlAttribute a = reg != null ? reg : dereg;
            if (a == null) return new Derived(0, null, false);
            if (a.value().length == 0) return new Derived(Errno.ERANGE.negative(), CpuSet.EMPTY, reg != null);
            try {
                CpuSet mask = CpulistParser.parseAttribute(a.value(), machine().nrCpus(), machine().nrCpuIds());
                return new Derived(mask.isSubsetOf(machine().possible()) ? 0 : Errno.EINVAL.negative(), mask, reg != null);
            } catch (CpulistParseException e) {
                return new Derived(e.errno().negative(), CpuSet.EMPTY, reg != null);
            }
        }

        void checkReplies(BrokerTestClient b, BrokerTestClient.Answer a, JsonNode expected, byte[] attrs, Long ownPid) throws Exception {
            assertThat(a.replies()).as("replies").hasSize(expected.size());
            for (int i = 0; i < expected.size(); i++) {
                JsonNode e = expected.get(i);
                NetlinkMessage r = a.replies().get(i);
                assertThat(r.length()).as("reply nlmsg_len").isEqualTo(e.get("nlmsg_len").asInt());
                assertThat(r.type()).isEqualTo(b.taskstatsFamily());
                assertThat(r.flags()).isEqualTo(e.get("nlmsg_flags").asInt());
                assertThat(r.portId()).isEqualTo(b.portId());
                assertThat(r.seq()).as("reply echoes the request's seq").isEqualTo(a.request().seq());
                GenlMessage g = GenlMessage.of(r);
                assertThat(g.cmd()).isEqualTo(e.get("genl_cmd").asInt());
                assertThat(g.version()).isEqualTo(e.get("genl_version").asInt());
                checkLayout(g.attributes(true), e.get("layout"));
                if (e.has("stats") && g.cmd() == TaskstatsProtocol.CMD_NEW) {
                    TaskstatsEvent ev = TaskstatsEvent.decode(r);
                    TaskstatsEvent.Aggregate agg = ev.pid().or(ev::tgid).orElseThrow();
                    JsonNode st = e.get("stats").get(0);
                    assertThat(agg.stats().size()).isEqualTo(st.get("struct_len").asInt());
                    assertThat(agg.stats().version()).isEqualTo(st.get("version").asInt());
                    AttributeList req = AttributeList.parse(ByteBuffer.wrap(attrs), false);
                    long requested = ev.pid().isPresent() ? req.last(TaskstatsProtocol.CMD_ATTR_PID).orElseThrow().u32()
                            : req.last(TaskstatsProtocol.CMD_ATTR_TGID).orElseThrow().u32();
                    assertThat(agg.id()).as("id attribute echoes the request").isEqualTo(requested);
                    if (ev.pid().isPresent()) assertThat(agg.stats().get(TaskstatsField.AC_PID)).isEqualTo(requested);
                    else assertThat(agg.stats().get(TaskstatsField.AC_PID)).as("TGID records carry no identity").isZero();
                }
            }
        }

        void checkLayout(AttributeList attrs, JsonNode layout) throws Exception {
            assertThat(attrs.attributes()).as("attributes").hasSize(layout.size());
            for (int i = 0; i < layout.size(); i++) {
                JsonNode l = layout.get(i);
                NlAttribute a = attrs.attributes().get(i);
                assertThat(a.rawType()).as("attribute type (no NLA_F_NESTED)").isEqualTo(typeCode(l.get("type").asString()));
                assertThat(a.length()).as("nla_len of " + l.get("type").asString()).isEqualTo(l.get("nla_len").asInt());
                if (l.has("nested")) checkLayout(a.nested(), l.get("nested"));
            }
        }

        void checkAck(BrokerTestClient b, BrokerTestClient.Answer a, JsonNode e) throws Exception {
            NetlinkMessage ack = a.ack();
            assertThat(ack).as("ack").isNotNull();
            assertThat(ack.length()).as("ack nlmsg_len").isEqualTo(e.get("nlmsg_len").asInt());
            assertThat(ack.type()).isEqualTo(e.get("nlmsg_type").asInt());
            assertThat(ack.flags()).as("ack flags").isEqualTo(e.get("nlmsg_flags").asInt());
            assertThat(ack.portId()).isEqualTo(b.portId());
            NetlinkError err = NetlinkError.decode(ack);
            assertThat(err.error()).isEqualTo(e.get("error").asInt());
            if (!e.path("truncated_datagram").asBoolean(false)) { // the recorder's 64 KiB buffer cut the long echo short
                assertThat(ack.length() - Netlink.NLMSG_HDRLEN - 4).as("nlmsgerr payload after the error").isEqualTo(e.get("error_payload_len").asInt());
            }
            NetlinkMessage req = a.request();
            assertThat(err.requestLength()).isEqualTo(req.length());
            assertThat(err.requestType()).isEqualTo(req.type());
            assertThat(err.requestFlags()).isEqualTo(req.flags());
            assertThat(err.requestSeq()).isEqualTo(req.seq());
            assertThat(err.requestPortId()).isEqualTo(req.portId());
            if (err.error() != 0) assertThat(err.echoedPayload()).as("the whole request is echoed").isEqualTo(req.payload());
        }

        void raw(BrokerTestClient b, JsonNode step) throws Exception {
            byte[] msg = HEX.parseHex(step.get("msg_hex").asString());
            ByteBuffer bb = ByteBuffer.wrap(msg).order(ByteOrder.LITTLE_ENDIAN);
            bb.putShort(4, (short) b.taskstatsFamily());
            int seq = BrokerTestClient.nextSeq();
            bb.putInt(8, seq);
            byte[] padded = java.util.Arrays.copyOf(msg, Netlink.align(msg.length));
            BrokerTestClient.Answer a = b.requestRaw(padded, seq);
            JsonNode result = step.get("result");
            assertThat(a.errno()).isEqualTo(result.get("errno").isNull() ? null : Integer.valueOf(result.get("errno").asInt()));
            if (result.has("ack")) {
                NetlinkMessage sent = NetlinkMessage.decode(ByteBuffer.wrap(msg));
                checkAck(b, new BrokerTestClient.Answer(sent, a.replies(), a.ack()), result.get("ack"));
            }
            assertThat(a.replies()).hasSize(result.get("replies").size());
        }

        void exitProbe(BrokerTestClient b, JsonNode step, CpuSet derivedRegistration) throws Exception {
            JsonNode per = step.get("events_per_exit");
            for (String key : per.propertyNames()) {
                int cpu = Integer.parseInt(key);
                if (!machine().possible().contains(cpu)) continue;
                int expected = sameShape || derivedRegistration == null ? per.get(key).asInt() : derivedRegistration.contains(cpu) ? 1 : 0;
                ExitProducer.ExitedTask t = exits().exit(cpu);
                List<NetlinkMessage> got = b.drainUntilBarrier();
                assertThat(ownEvents(b, got, t)).as("events per exit on CPU %d", cpu).hasSize(expected);
            }
        }

        // ---------------------------------------------------------------- listener: port id reuse

        void portIdReuse() throws Exception {
            BrokerTestClient a = open();
            CpuSet cpus = recorded.possible().intersect(machine().possible());
            assertThat(register(a, cpus.toCpulist())).isZero();
            a.close();
            BrokerTestClient bConn = open();
            assertThat(bConn.portId()).as("port ids are not reused").isNotEqualTo(a.portId());
            ExitProducer.ExitedTask t = exits().exit(cpus.first());
            assertThat(ownEvents(bConn, bConn.drainUntilBarrier(), t)).as("a closed listener's stream is inherited by nobody").isEmpty();
            BrokerTestClient cConn = open();
            for (int cpu : cpus.toArray()) {
                ExitProducer.ExitedTask e = exits().exit(cpu);
                assertThat(ownEvents(cConn, cConn.drainUntilBarrier(), e)).isEmpty();
            }
        }

        // ---------------------------------------------------------------- event layout

        void eventLayout() throws Exception {
            JsonNode step = c.get("steps").get(0);
            int cpu = step.get("cpu").asInt();
            BrokerTestClient b = open();
            assertThat(register(b, Integer.toString(cpu))).isZero();
            int threads = 1 + step.path("threads").asInt(0);
            Integer signal = step.has("signal") ? step.get("signal").asInt() : null;
            ExitProducer.ExitedTask t = exits().exit(cpu, threads, 0, signal);
            List<NetlinkMessage> events = ownEvents(b, b.drainUntilBarrier(), t);
            JsonNode messages = c.get("observed").get("messages");
            assertThat(events).hasSize(messages.size());
            for (int i = 0; i < messages.size(); i++) {
                JsonNode m = messages.get(i);
                JsonNode shape = m.has("shape") ? m.get("shape") : m;
                NetlinkMessage ev = events.get(i);
                assertThat(ev.length()).isEqualTo(shape.get("nlmsg_len").asInt());
                assertThat(ev.flags()).isEqualTo(shape.get("nlmsg_flags").asInt());
                assertThat(ev.portId()).isZero();
                GenlMessage g = GenlMessage.of(ev);
                assertThat(g.cmd()).isEqualTo(shape.get("genl_cmd").asInt());
                assertThat(g.version()).isEqualTo(shape.get("genl_version").asInt());
                checkLayout(g.attributes(true), shape.get("layout"));
                TaskstatsEvent decoded = TaskstatsEvent.decode(ev);
                JsonNode pidStats = shape.get("stats").get(0);
                Taskstats ps = decoded.pid().orElseThrow().stats();
                assertThat(ps.version()).isEqualTo(pidStats.get("version").asInt());
                assertThat(ps.get(TaskstatsField.AC_EXITCODE)).isEqualTo(pidStats.get("ac_exitcode").asLong());
                assertThat(ps.get(TaskstatsField.AC_FLAG)).as("ac_flag").isEqualTo(pidStats.get("ac_flag").asLong());
                assertThat(ps.get(TaskstatsField.AC_NICE)).isEqualTo(pidStats.get("ac_nice").asLong());
                assertThat(ps.get(TaskstatsField.AC_SCHED)).isEqualTo(pidStats.get("ac_sched").asLong());
                if ("MAIN".equals(m.path("pid_attr").asString(""))) assertThat(decoded.pid().get().id()).isEqualTo(t.tgid());
                if ("THREAD".equals(m.path("pid_attr").asString(""))) assertThat(decoded.pid().get().id()).isNotEqualTo(t.tgid());
                assertThat(ps.get(TaskstatsField.AC_PID)).isEqualTo(decoded.pid().get().id());
                if (shape.get("stats").size() > 1) {
                    TaskstatsEvent.Aggregate tg = decoded.tgid().orElseThrow();
                    assertThat(tg.id()).isEqualTo(t.tgid());
                    JsonNode tgStats = shape.get("stats").get(1);
                    assertThat(tg.stats().version()).isEqualTo(tgStats.get("version").asInt());
                    for (TaskstatsField f : List.of(TaskstatsField.AC_PID, TaskstatsField.AC_UID, TaskstatsField.AC_GID, TaskstatsField.AC_PPID,
                            TaskstatsField.AC_FLAG, TaskstatsField.AC_EXITCODE, TaskstatsField.AC_TGID, TaskstatsField.AC_BTIME)) {
                        assertThat(tg.stats().get(f)).as("TGID record field %s", f.cName()).isZero();
                    }
                    assertThat(tg.stats().comm()).isEmpty();
                } else {
                    assertThat(decoded.tgid()).isEmpty();
                }
            }
        }

        // ---------------------------------------------------------------- sequence

        void sequence() throws Exception {
            CpuSet cpus = recorded.possible().intersect(machine().possible());
            Map<Integer, BrokerTestClient> perCpu = new LinkedHashMap<>();
            for (int cpu : cpus.toArray()) {
                BrokerTestClient b = open();
                assertThat(register(b, Integer.toString(cpu))).isZero();
                perCpu.put(cpu, b);
            }
            BrokerTestClient all = open();
            assertThat(register(all, cpus.toCpulist())).isZero();
            int count = c.get("steps").get(0).path("count").asInt(6);
            Map<Integer, List<Long>> seqs = new HashMap<>();
            Map<Integer, List<Integer>> foreignBetween = new HashMap<>();
            Map<Long, Long> seqByPidOnSingle = new HashMap<>();
            List<Integer> order = new ArrayList<>(cpus.stream().boxed().toList());
            for (int i = 0; i < count; i++) {
                int cpu = order.get(i % order.size());
                ExitProducer.ExitedTask t = exits().exit(cpu);
                BrokerTestClient b = perCpu.get(cpu);
                List<NetlinkMessage> got = b.drainUntilBarrier();
                int foreign = 0;
                for (NetlinkMessage m : events(b, got)) {
                    TaskstatsEvent e = TaskstatsEvent.decode(m);
                    if (t.owns(e.pid().orElseThrow().id())) {
                        seqs.computeIfAbsent(cpu, k -> new ArrayList<>()).add(U32.toLong(m.seq()));
                        foreignBetween.computeIfAbsent(cpu, k -> new ArrayList<>()).add(foreign);
                        seqByPidOnSingle.put(e.pid().get().id(), U32.toLong(m.seq()));
                        foreign = 0;
                    } else {
                        foreign++;
                    }
                }
            }
            for (Map.Entry<Integer, List<Long>> e : seqs.entrySet()) {
                List<Long> s = e.getValue();
                assertThat(s).as("one event per own exit on CPU " + e.getKey()).hasSize((count + order.size() - 1 - order.indexOf(e.getKey())) / order.size());
                for (int i = 1; i < s.size(); i++) {
                    long delta = (s.get(i) - s.get(i - 1)) & 0xFFFF_FFFFL;
                    assertThat(delta).as("seq delta on CPU %d = 1 + foreign events in between", e.getKey())
                            .isEqualTo(1 + foreignBetween.get(e.getKey()).get(i));
                }
            }
            for (NetlinkMessage m : events(all, all.drainUntilBarrier())) {
                Long single = seqByPidOnSingle.get(TaskstatsEvent.decode(m).pid().orElseThrow().id());
                if (single != null) assertThat(U32.toLong(m.seq())).as("every copy of an event has the same seq").isEqualTo(single);
            }
        }

        // ---------------------------------------------------------------- overflow

        void overflow() throws Exception {
            BrokerTestClient b = open();
            JsonNode set = c.get("steps").get(0);
            int rcvbufRequested = set.get("SO_RCVBUF").asInt();
            boolean noEnobufs = set.get("NETLINK_NO_ENOBUFS").asBoolean();
            assertThat(b.setOption(SockProtocol.ATTR_RCVBUF, rcvbufRequested)).isZero();
            if (noEnobufs) assertThat(b.setOption(SockProtocol.ATTR_NO_ENOBUFS, 1)).isZero();
            int rcvbuf = (int) b.sockInfo().last(SockProtocol.ATTR_RCVBUF).orElseThrow().u32();
            JsonNode o = c.get("observed");
            if (sameShape) assertThat(rcvbuf).as("effective SO_RCVBUF").isEqualTo(o.get("so_rcvbuf_effective").asInt());
            int capacity = SockProtocol.queueCapacity(rcvbuf, TaskstatsProtocol.EVENT_TRUESIZE);
            if (sameShape) assertThat(capacity).isEqualTo(o.get("model_capacity_events").asInt());
            CpuSet cpus = recorded.possible().intersect(machine().possible());
            assertThat(register(b, cpus.toCpulist())).isZero();
            int pause = b.pauseReading();
            if (pause != 0) throw new TestAbortedException("the broker does not support TSFLEET_SOCK RECV_PAUSED (errno " + pause + ")");

            Phase first = phase(b, cpus, o.get("exits_generated").asInt(), capacity, noEnobufs);
            if (!foreignExitsPossible()) assertThat(first.ownReceived).as("events received = queue capacity").isEqualTo(capacity);
            else assertThat(first.ownReceived + first.foreign).as("events received <= queue capacity").isBetween(1, capacity);
            if (sameShape && !foreignExitsPossible()) assertThat(first.perCpu).isEqualTo(counts(o.get("events_received_per_cpu")));

            assertThat(b.pauseReading()).isZero();
            Phase second = phase(b, cpus, o.get("after_drain").get("exits_generated").asInt(), capacity, noEnobufs);
            JsonNode after = o.get("after_drain");
            if (sameShape && !foreignExitsPossible()) {
                assertThat(second.ownReceived).isEqualTo(after.get("events_received").asInt());
                assertThat(second.enobufs > 0).isEqualTo(after.get("first_recv_raised").asBoolean());
            }
            for (int cpu : cpus.toArray()) {
                Long lastBefore = first.lastSeq.get(cpu);
                Long firstAfter = second.firstSeq.get(cpu);
                if (lastBefore == null || firstAfter == null) continue;
                long skipped = ((firstAfter - lastBefore) & 0xFFFF_FFFFL) - 1;
                long dropped = first.ownDroppedPerCpu.getOrDefault(cpu, 0L);
                if (!foreignExitsPossible()) assertThat(skipped).as("seq jump on CPU %d = drops", cpu).isEqualTo(dropped);
                else assertThat(skipped).as("seq jump on CPU %d >= own drops", cpu).isGreaterThanOrEqualTo(dropped);
            }
        }

        /** Exits while the client does not read, then reads everything and checks the overflow invariants. */
        Phase phase(BrokerTestClient b, CpuSet cpus, int exitCount, int capacity, boolean noEnobufs) throws Exception {
            int[] order = cpus.toArray();
            List<ExitProducer.ExitedTask> tasks = new ArrayList<>();
            Map<Long, Integer> cpuOfPid = new HashMap<>();
            for (int i = 0; i < exitCount; i++) {
                ExitProducer.ExitedTask t = exits().exit(order[i % order.length]);
                tasks.add(t);
                for (int tid : t.threads()) cpuOfPid.put((long) tid, order[i % order.length]);
            }
            List<NetlinkMessage> got = b.resumeAndReadAll();
            Phase p = new Phase();
            List<Integer> ownIndexes = new ArrayList<>();
            boolean dataSeen = false;
            for (NetlinkMessage m : got) {
                if (NetlinkError.isOverrun(m)) {
                    assertThat(dataSeen).as("ENOBUFS comes ahead of the queued data").isFalse();
                    p.enobufs++;
                    continue;
                }
                if (m.type() != b.taskstatsFamily()) continue;
                dataSeen = true;
                long pid = TaskstatsEvent.decode(m).pid().orElseThrow().id();
                Integer cpu = cpuOfPid.get(pid);
                if (cpu == null) {
                    p.foreign++;
                    continue;
                }
                p.ownReceived++;
                p.perCpu.merge(cpu, 1, Integer::sum);
                long seq = U32.toLong(m.seq());
                p.firstSeq.putIfAbsent(cpu, seq);
                Long prev = p.lastSeq.put(cpu, seq);
                if (prev != null) assertThat((seq - prev) & 0xFFFF_FFFFL).as("no gap inside what was queued").isGreaterThanOrEqualTo(1);
                for (int i = 0; i < tasks.size(); i++) if (tasks.get(i).owns(pid)) ownIndexes.add(i);
            }
            for (int i = 0; i < ownIndexes.size(); i++) assertThat(ownIndexes.get(i)).as("received events are a prefix of the exits").isEqualTo(i);
            for (int i = ownIndexes.size(); i < tasks.size(); i++) p.ownDroppedPerCpu.merge(order[i % order.length], 1L, Long::sum);
            boolean overflowed = exitCount + p.foreign > capacity;
            if (noEnobufs) assertThat(p.enobufs).as("NETLINK_NO_ENOBUFS: no error").isZero();
            else if (!foreignExitsPossible()) assertThat(p.enobufs).as("ENOBUFS once per episode").isEqualTo(overflowed ? 1 : 0);
            else assertThat(p.enobufs).as("ENOBUFS at most once per episode, and once if we overflowed").isBetween(overflowed ? 1 : 0, 1);
            assertThat(p.ownReceived + p.foreign).isLessThanOrEqualTo(capacity);
            return p;
        }

        int register(BrokerTestClient b, String cpulist) throws IOException {
            return b.request(MessageBuilder.genl(TaskstatsProtocol.CMD_GET, 1).attribute(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK, cstr(cpulist))
                    .build(b.taskstatsFamily(), Netlink.NLM_F_REQUEST | Netlink.NLM_F_ACK, 0, 0)).errno();
        }
    }

    static final class Phase {
        int ownReceived;
        int foreign;
        int enobufs;
        final Map<Integer, Integer> perCpu = new HashMap<>();
        final Map<Integer, Long> firstSeq = new HashMap<>();
        final Map<Integer, Long> lastSeq = new HashMap<>();
        final Map<Integer, Long> ownDroppedPerCpu = new HashMap<>();
    }

    static Map<Integer, Integer> counts(JsonNode perCpu) {
        Map<Integer, Integer> m = new HashMap<>();
        for (String k : perCpu.propertyNames()) m.put(Integer.parseInt(k), perCpu.get(k).asInt());
        return m;
    }

    /** The exit events among the messages (TASKSTATS family, CMD_NEW, port id 0). */
    static List<NetlinkMessage> events(BrokerTestClient b, List<NetlinkMessage> got) {
        return got.stream().filter(m -> m.type() == b.taskstatsFamily() && m.portId() == 0).toList();
    }

    /** The events of one task (foreign exits on a live machine are ignored). */
    static List<NetlinkMessage> ownEvents(BrokerTestClient b, List<NetlinkMessage> got, ExitProducer.ExitedTask t) throws Exception {
        List<NetlinkMessage> own = new ArrayList<>();
        for (NetlinkMessage m : events(b, got)) {
            if (t.owns(TaskstatsEvent.decode(m).pid().orElseThrow().id())) own.add(m);
        }
        return own;
    }

    static int typeCode(String name) {
        return switch (name) {
            case "PID" -> TaskstatsProtocol.TYPE_PID;
            case "TGID" -> TaskstatsProtocol.TYPE_TGID;
            case "STATS" -> TaskstatsProtocol.TYPE_STATS;
            case "AGGR_PID" -> TaskstatsProtocol.TYPE_AGGR_PID;
            case "AGGR_TGID" -> TaskstatsProtocol.TYPE_AGGR_TGID;
            case "NULL" -> TaskstatsProtocol.TYPE_NULL;
            default -> throw new IllegalArgumentException("unknown attribute name in the oracle: " + name);
        };
    }

    static byte[] cstr(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        return java.util.Arrays.copyOf(b, b.length + 1);
    }

    /** The oracle's simplified payloads are written like Python literals without the b'': {@code "0-1\\0"}. */
    static byte[] unescape(String s) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            if (ch == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                switch (n) {
                    case '0' -> out.write(0);
                    case 'n' -> out.write('\n');
                    case 't' -> out.write('\t');
                    case '\\' -> out.write('\\');
                    case 'x' -> {
                        out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                        i += 2;
                    }
                    default -> throw new IllegalArgumentException("unknown escape \\" + n + " in " + s);
                }
            } else {
                out.write(ch);
            }
        }
        return out.toByteArray();
    }

    static byte[] replaceU32(byte[] attrs, long from, long to) {
        byte[] f = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) from).array();
        byte[] t = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) to).array();
        byte[] out = attrs.clone();
        for (int i = 0; i + 4 <= out.length; i++) {
            if (out[i] == f[0] && out[i + 1] == f[1] && out[i + 2] == f[2] && out[i + 3] == f[3]) {
                System.arraycopy(t, 0, out, i, 4);
                i += 3;
            }
        }
        return out;
    }
}
