package io.tsfleet.protocol.cpu;

import io.tsfleet.protocol.KernelOracle;
import io.tsfleet.protocol.netlink.AttributeList;
import io.tsfleet.protocol.netlink.Errno;
import io.tsfleet.protocol.netlink.NlAttribute;
import io.tsfleet.protocol.taskstats.TaskstatsProtocol;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every recorded {@code cpumask-parse} case, parsed with the recorded machine's NR_CPUS and nr_cpu_ids. */
class CpulistOracleTest {
    private static final KernelOracle ORACLE = KernelOracle.load();

    @TestFactory
    Stream<DynamicTest> everyRecordedCpumaskCaseGivesTheKernelsAnswer() {
        List<JsonNode> cases = ORACLE.cases("cpumask-parse");
        assertThat(cases).hasSizeGreaterThanOrEqualTo(30);
        return cases.stream().map(c -> DynamicTest.dynamicTest(c.get("name").asString(), () -> check(c)));
    }

    private void check(JsonNode c) throws Exception {
        JsonNode step = c.get("steps").get(0);
        AttributeList attrs = AttributeList.parse(ByteBuffer.wrap(KernelOracle.hex(step.get("attrs_hex").asString())), false);
        NlAttribute mask = attrs.last(TaskstatsProtocol.CMD_ATTR_REGISTER_CPUMASK)
                .or(() -> attrs.last(TaskstatsProtocol.CMD_ATTR_DEREGISTER_CPUMASK))
                .orElseThrow(() -> new AssertionError("case without a cpumask attribute"));
        JsonNode observed = c.get("observed");
        int errno = observed.get("errno").asInt();
        if (errno == 0) {
            CpuSet cpus = CpulistParser.parseAttribute(mask.value(), ORACLE.nrCpus(), ORACLE.nrCpuIds());
            if (observed.has("effective_cpus")) {
                List<Integer> expected = new ArrayList<>();
                observed.get("effective_cpus").forEach(n -> expected.add(n.asInt()));
                assertThat(cpus.stream().boxed().toList()).isEqualTo(expected);
            }
        } else {
            assertThatThrownBy(() -> CpulistParser.parseAttribute(mask.value(), ORACLE.nrCpus(), ORACLE.nrCpuIds()))
                    .isInstanceOfSatisfying(CpulistParseException.class,
                            e -> assertThat(e.errno()).isEqualTo(Errno.ofCode(errno)));
        }
    }
}
