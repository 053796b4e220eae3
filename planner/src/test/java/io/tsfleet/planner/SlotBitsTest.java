package io.tsfleet.planner;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.BitSet;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link SlotBits} behaves as a {@link BitSet} under any sequence of reserves, sets and clears. */
class SlotBitsTest {

    @Property(tries = 300)
    void behavesAsABitSet(@ForAll long seed, @ForAll @IntRange(min = 1, max = 300) int operations, @ForAll @IntRange(min = 1, max = 20_000) int range) {
        Random rnd = new Random(seed);
        SlotBits bits = new SlotBits();
        BitSet reference = new BitSet();
        if (rnd.nextBoolean()) {
            int lo = rnd.nextInt(range), hi = lo + rnd.nextInt(range - lo);
            bits.reserve(lo, hi);
            for (int i = 0; i < 20; i++) {
                int c = lo + rnd.nextInt(hi - lo + 1);
                if (!reference.get(c)) {
                    bits.setReserved(c);
                    reference.set(c);
                }
            }
        }
        for (int i = 0; i < operations; i++) {
            int c = rnd.nextInt(range);
            if (rnd.nextInt(3) == 0) {
                bits.clear(c);
                reference.clear(c);
            } else {
                bits.set(c);
                reference.set(c);
            }
            if (rnd.nextInt(10) == 0) {
                // emptied out: the window may move
                for (int x = reference.nextSetBit(0); x >= 0; x = reference.nextSetBit(x + 1)) bits.clear(x);
                reference.clear();
            }
        }
        assertThat(bits.cardinality()).isEqualTo(reference.cardinality());
        assertThat(bits.toArray()).containsExactly(reference.stream().toArray());
        // word by word, as balancing reads it: the same slots in the same ascending order
        java.util.List<Integer> wordwise = new java.util.ArrayList<>();
        for (int i = 0; i < bits.wordCount(); i++) {
            for (long word = bits.word(i); word != 0; word &= word - 1) wordwise.add(bits.firstSlotOfWord(i) + Long.numberOfTrailingZeros(word));
        }
        assertThat(wordwise).containsExactlyElementsOf(reference.stream().boxed().toList());
        for (int probe = 0; probe < 50; probe++) {
            int from = rnd.nextInt(range + 64);
            assertThat(bits.nextSetBit(from)).as("nextSetBit(%d)", from).isEqualTo(reference.nextSetBit(from));
            assertThat(bits.nextClearBit(from)).as("nextClearBit(%d)", from).isEqualTo(reference.nextClearBit(from));
            assertThat(bits.get(from)).isEqualTo(reference.get(from));
        }
    }
}
