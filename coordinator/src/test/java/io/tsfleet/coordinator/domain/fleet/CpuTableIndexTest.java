package io.tsfleet.coordinator.domain.fleet;

import io.tsfleet.protocol.cpu.CpuSet;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CpuTable} answers a replica's directive target, the handovers in flight, the slots still to move and the owner
 * masks from indexes it keeps up to date (so that a heartbeat does not scan every slot of a large fleet). After any
 * sequence of owner, target and handover changes and of slots coming and going, they must answer exactly what a scan
 * of every possible slot answers.
 */
class CpuTableIndexTest {
    private static final List<String> REPLICAS = List.of("a", "b", "c", "d");
    private static final Instant NOW = Instant.parse("2026-12-06T09:00:00Z");

    @Test
    void theIndexesAnswerWhatAScanOfEverySlotAnswers() {
        Random random = new Random(10);
        for (int round = 0; round < 50; round++) {
            CpuSet possible = CpuSet.range(0, 199);
            CpuTable table = new CpuTable(possible);
            int size = possible.length();
            for (int step = 0; step < 2000; step++) {
                int c = random.nextInt(size);
                String r = random.nextInt(6) == 0 ? null : REPLICAS.get(random.nextInt(REPLICAS.size()));
                switch (random.nextInt(7)) {
                    case 0 -> table.owner(c, r);
                    case 1 -> table.takeOwnership(c, r == null ? "a" : r, NOW, null, 1);
                    case 2 -> table.target(c, r);
                    case 3 -> {
                        String from = REPLICAS.get(random.nextInt(REPLICAS.size()));
                        Handover h = new Handover(c, from, r == null ? "b" : r, 1, NOW);
                        if (random.nextBoolean()) h.advance(HandoverPhase.MAKE, 2, NOW);
                        table.handover(c, h);
                    }
                    case 4 -> table.handover(c, null);
                    case 5 -> {
                        if (random.nextInt(50) == 0) {
                            CpuSet.Builder next = CpuSet.builder();
                            int width = 100 + random.nextInt(160);
                            for (int s = 0; s < width; s++) if (random.nextInt(5) > 0) next.add(s);
                            possible = next.build();
                            table.reshape(possible);
                            size = Math.max(size, possible.length());
                        }
                    }
                    default -> { }
                }
                if (step % 100 == 0) assertSameAsScan(table, possible);
            }
            assertSameAsScan(table, possible);
        }
    }

    private static void assertSameAsScan(CpuTable table, CpuSet possible) {
        List<Handover> handovers = new ArrayList<>();
        List<Integer> unsettled = new ArrayList<>();
        Map<String, CpuSet.Builder> owners = new HashMap<>();
        possible.forEach(c -> {
            if (table.handover(c) != null) handovers.add(table.handover(c));
            String t = table.target(c);
            if (t != null && !t.equals(table.owner(c))) unsettled.add(c);
            if (table.owner(c) != null) owners.computeIfAbsent(table.owner(c), k -> CpuSet.builder()).add(c);
        });
        assertThat(table.handovers()).containsExactlyElementsOf(handovers);
        List<Integer> indexed = new ArrayList<>();
        for (int c = table.nextUnsettled(0); c >= 0; c = table.nextUnsettled(c + 1)) indexed.add(c);
        assertThat(indexed).containsExactlyElementsOf(unsettled);
        Map<String, CpuSet> ownerMasks = new TreeMap<>();
        owners.forEach((k, v) -> ownerMasks.put(k, v.build()));
        assertThat(table.ownerMasks()).isEqualTo(ownerMasks);
        for (String r : REPLICAS) {
            CpuSet.Builder b = CpuSet.builder();
            possible.forEach(c -> {
                Handover h = table.handover(c);
                if (h == null ? r.equals(table.owner(c)) : h.to().equals(r) && h.newOwnerTargeted()) b.add(c);
            });
            assertThat(table.directiveTarget(r)).as("directive target of %s", r).isEqualTo(b.build());
        }
    }
}
