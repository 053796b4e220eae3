package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link SlotSpace#split} and {@link SlotSpace#describe} walk a slot set block by block (their cost is the set's size,
 * not nodes x slots); they must answer exactly what intersecting the set with every node's block answers: nodes with
 * gaps between their blocks, nodes with holes in their CPU lists, slots that no node holds, empty sets.
 */
class SlotSpaceSplitTest {

    @Test
    void splitAndDescribeAnswerWhatIntersectingEveryBlockAnswers() {
        Random random = new Random(19);
        for (int round = 0; round < 200; round++) {
            SlotSpace space = SlotSpace.EMPTY;
            int nodes = 2 + random.nextInt(20);
            for (int n = 0; n < nodes; n++) {
                CpuSet.Builder cpus = CpuSet.builder();
                int width = 1 + random.nextInt(200);
                for (int c = 0; c < width; c++) if (random.nextInt(4) > 0) cpus.add(c);
                cpus.add(width - 1);
                space = space.withNode("node-" + n, "boot", null, null, cpus.build());
            }
            for (int n = 0; n < nodes; n += 3) space = space.withoutNode("node-" + n); // gaps between blocks
            int length = space.slots().length() + 70;
            for (int s = 0; s < 5; s++) {
                CpuSet.Builder set = CpuSet.builder();
                int density = random.nextInt(10);
                for (int c = 0; c < length; c++) if (random.nextInt(10) < density) set.add(c);
                CpuSet slots = set.build();
                assertThat(space.split(slots)).isEqualTo(naiveSplit(space, slots));
                assertThat(space.describe(slots)).isEqualTo(naiveDescribe(space, slots));
            }
        }
    }

    @Test
    void aSetOfOneSlotOfTheLastNodeIsThatNodesCpu() {
        SlotSpace space = SlotSpace.EMPTY.withNode("a", "b", null, null, CpuSet.range(0, 127)).withNode("b", "b", null, null, CpuSet.range(0, 127));
        assertThat(space.split(CpuSet.of(255))).containsExactly(Map.entry("b", CpuSet.of(127)));
        assertThat(space.describe(CpuSet.of(0, 255))).isEqualTo("a:0;b:127");
        assertThat(space.describe(CpuSet.EMPTY)).isEmpty();
    }

    private static Map<String, CpuSet> naiveSplit(SlotSpace space, CpuSet slots) {
        Map<String, CpuSet> out = new TreeMap<>();
        for (SlotSpace.NodeBlock b : space.blocks()) {
            CpuSet mine = slots.intersect(b.slots());
            if (!mine.isEmpty()) out.put(b.node(), mine.shift(-b.offset()));
        }
        return out;
    }

    private static String naiveDescribe(SlotSpace space, CpuSet slots) {
        if (space.blocks().size() <= 1 && (space.blocks().isEmpty() || space.blocks().get(0).offset() == 0)) {
            return space.blocks().isEmpty() ? "" : slots.intersect(space.blocks().get(0).cpus()).toCpulist();
        }
        StringBuilder sb = new StringBuilder();
        for (SlotSpace.NodeBlock b : space.blocks()) {
            CpuSet mine = slots.intersect(b.slots());
            if (mine.isEmpty()) continue;
            if (!sb.isEmpty()) sb.append(';');
            sb.append(b.node()).append(':').append(mine.shift(-b.offset()).toCpulist());
        }
        return sb.toString();
    }
}
