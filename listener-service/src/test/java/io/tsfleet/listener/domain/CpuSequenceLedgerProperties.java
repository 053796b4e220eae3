package io.tsfleet.listener.domain;

import io.tsfleet.listener.domain.CpuSequenceLedger.Verdict;
import io.tsfleet.protocol.netlink.SerialNumbers;
import io.tsfleet.protocol.netlink.U32;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/** Properties of the per-CPU accounting, including starts right below the u32 wrap. */
class CpuSequenceLedgerProperties {

    @Provide
    Arbitrary<Integer> starts() {
        return Arbitraries.oneOf(Arbitraries.integers(), Arbitraries.integers().between(-200, -1), Arbitraries.of(0, Integer.MAX_VALUE));
    }

    @Property(tries = 300)
    void lostEqualsTheNumbersSkipped(@ForAll("starts") int start, @ForAll @Size(max = 300) List<@IntRange(min = 1, max = 6) Integer> steps) {
        CpuSequenceLedger l = new CpuSequenceLedger(0, new ReplicaTotals(), 0, HoldbackBudget.unlimited());
        int seq = start;
        l.onRecord(seq, true);
        long skipped = 0;
        for (int step : steps) {
            seq += step;
            skipped += step - 1;
            assertThat(l.onRecord(seq, true)).isEqualTo(Verdict.KEEP);
        }
        CpuLedgerSnapshot s = l.snapshot();
        assertThat(s.lost()).isEqualTo(skipped);
        assertThat(s.records()).isEqualTo(steps.size() + 1);
        assertThat(l.closeRateWindow(1.0)).as("every seq step counts in the rate").isEqualTo((double) (s.records() + s.lost()));
        assertThat(s.lastSeq()).isEqualTo(U32.toLong(seq));
    }

    /**
     * A socket registered on this CPU drops events at random (never its first: an empty queue takes any event); now
     * and then its drop count is read in band, after every delivered event sequenced before the request. Loss counted
     * is then exactly the drops so far, whether or not a later record has revealed their gaps, and nothing is counted
     * twice when it does.
     */
    @Property(tries = 300)
    void theSocketsDropCountCountsUnrevealedLossExactlyOnce(@ForAll("starts") int start, @ForAll @IntRange(min = 1, max = 400) int n,
                                                             @ForAll long seed) {
        Random rnd = new Random(seed);
        boolean[] dropped = new boolean[n];
        for (int i = 1; i < n; i++) dropped[i] = rnd.nextInt(3) == 0;
        CpuSequenceLedger l = new CpuSequenceLedger(0, new ReplicaTotals(), 0, HoldbackBudget.unlimited());
        long dropsSoFar = 0;
        for (int i = 0; i < n; i++) {
            if (dropped[i]) {
                dropsSoFar++;
                if (rnd.nextInt(5) == 0) l.onOverrun();
            } else {
                l.onRecord(start + i, true);
            }
            if (rnd.nextInt(8) == 0) {
                l.onSocketDrops(dropsSoFar);
                assertThat(l.snapshot().lost()).isEqualTo(dropsSoFar);
            }
            assertThat(l.snapshot().lost()).isLessThanOrEqualTo(dropsSoFar);
        }
        l.onSocketDrops(dropsSoFar);
        assertThat(l.snapshot().lost()).isEqualTo(dropsSoFar);
        l.onRecord(start + n, true);                   // the next exit reveals the trailing gap: counted once
        assertThat(l.snapshot().lost()).isEqualTo(dropsSoFar);
        assertThat(l.snapshot().records() + l.snapshot().lost()).isEqualTo(n + 1);
    }

    @Property(tries = 300)
    void repeatsAreDuplicatesAndChangeNothingElse(@ForAll("starts") int start, @ForAll @IntRange(min = 1, max = 200) int n,
                                                  @ForAll long seed) {
        Random rnd = new Random(seed);
        CpuSequenceLedger l = new CpuSequenceLedger(0, new ReplicaTotals(), 0, HoldbackBudget.unlimited());
        long repeats = 0;
        for (int i = 0; i < n; i++) {
            int seq = start + i;
            assertThat(l.onRecord(seq, true)).isEqualTo(Verdict.KEEP);
            if (rnd.nextInt(4) == 0) {
                int back = rnd.nextInt(Math.min(i + 1, 50));
                assertThat(l.onRecord(seq - back, true)).isEqualTo(Verdict.DUPLICATE);
                repeats++;
            }
        }
        assertThat(l.snapshot().duplicates()).isEqualTo(repeats);
        assertThat(l.snapshot().lost()).isZero();
        assertThat(l.snapshot().records()).isEqualTo(n);
    }

    /**
     * A CPU moves from A to B, under the release rule that ships: B registers at index j (its first seq is the
     * fence); A learns that the CPU leaves at index k and gets the fence at index m (j <= m, k <= m), and deregisters
     * at once; the broker takes the deregistration at index d >= m, so A's connection gets the events before d and
     * none from d on, and the broker's answer after all of them. A may miss events (its own overflow); B misses none.
     * Whatever the order: A deregisters as soon as it knows the fence and is released by the answer; every event is
     * in A's or B's sink unless A missed it below the fence; the overlap of the two sinks is exactly A's duplicate
     * count; and in the steady order (A told to leave before B registered, and a holdback big enough for the wait
     * for the fence) there is no overlap at all and A's loss is exactly what it missed below the fence.
     */
    @Property(tries = 500)
    void handoverAtTheFenceLosesNothingAndCountsEveryOverlap(@ForAll("handovers") Handover h) {
        int n = h.n();
        int[] seq = new int[n];
        for (int i = 0; i < n; i++) seq[i] = h.start() + i;
        int fence = seq[h.j()];

        CpuSequenceLedger a = CpuSequenceLedgerTest.registered(new CpuSequenceLedger(0, new ReplicaTotals(), h.holdback(), HoldbackBudget.unlimited()));
        Set<Integer> sinkA = new HashSet<>();
        List<Integer> sinkB = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (i == h.k()) a.leave(0);
            if (i == h.m()) {
                FenceOutcome out = a.applyFence(fence, 0);
                out.toWrite().forEach(r -> assertThat(sinkA.add(r.seq())).isTrue());
                assertThat(out.deregister()).as("A deregisters as soon as it knows the fence").isTrue();
            }
            if (i >= h.j()) sinkB.add(seq[i]);
            if (i >= h.d() || h.aMisses().contains(i)) continue; // deregistered: the broker sends A nothing more
            Verdict v = a.onRecord(seq[i], true);
            switch (v) {
                case KEEP -> assertThat(sinkA.add(seq[i])).isTrue();
                case HOLD -> a.hold(seq[i], new byte[0], new int[0]);
                case SPILL_THEN_KEEP -> {
                    a.spillHoldback().forEach(r -> assertThat(sinkA.add(r.seq())).isTrue());
                    assertThat(sinkA.add(seq[i])).isTrue();
                }
                case HANDED_OVER -> {
                }
                default -> throw new AssertionError("unexpected " + v);
            }
        }
        a.deregistered(); // the broker's answer, after every event it queued for A
        assertThat(a.phase()).isEqualTo(CpuState.Phase.RELEASED);

        Set<Integer> union = new HashSet<>(sinkA);
        union.addAll(sinkB);
        long overlap = sinkB.stream().filter(sinkA::contains).count();
        long aMissedBelowFence = h.aMisses().stream().filter(i -> i < h.j()).count();
        assertThat(union).hasSize(n - (int) aMissedBelowFence);
        assertThat(overlap).isEqualTo(a.snapshot().duplicates());
        assertThat(sinkA.stream().allMatch(s -> SerialNumbers.before(s, fence) || sinkB.contains(s))).isTrue();
        if (h.k() <= h.j() && h.holdback() >= h.m() - h.k()) {
            assertThat(overlap).isZero();
            assertThat(a.snapshot().lost()).isEqualTo(aMissedBelowFence);
        } else {
            assertThat(a.snapshot().lost()).isBetween(aMissedBelowFence, (long) h.aMisses().size());
        }
    }

    record Handover(int start, int n, int j, int k, int m, int d, int holdback, Set<Integer> aMisses) {
    }

    @Provide
    Arbitrary<Handover> handovers() {
        return Combinators.combine(starts(), Arbitraries.integers().between(2, 120), Arbitraries.longs(), Arbitraries.integers().between(0, 40))
                .as((start, n, seed, holdback) -> {
                    Random r = new Random(seed);
                    int j = r.nextInt(n);          // B's first event
                    int m = j + r.nextInt(n - j);  // the fence reaches A
                    int k = r.nextInt(m + 1);      // A learns the CPU leaves
                    int d = m + r.nextInt(n - m + 1); // the broker takes A's deregistration (n: after the last event)
                    Set<Integer> misses = new HashSet<>();
                    for (int i = 1; i < n; i++) if (r.nextInt(8) == 0) misses.add(i); // A sees its first event
                    return new Handover(start, n, j, k, m, d, holdback, misses);
                });
    }
}
