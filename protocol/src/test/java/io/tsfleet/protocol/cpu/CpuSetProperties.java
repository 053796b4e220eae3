package io.tsfleet.protocol.cpu;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

class CpuSetProperties {

    @Provide
    Arbitrary<Set<Integer>> cpuSets() {
        Arbitrary<Integer> sparse = Arbitraries.integers().between(0, 8191);
        Arbitrary<Integer> dense = Arbitraries.integers().between(0, 200);
        return Arbitraries.oneOf(sparse, dense).set().ofMaxSize(600);
    }

    @Property
    void formatThenParseIsIdentity(@ForAll("cpuSets") Set<Integer> cpus) throws Exception {
        CpuSet set = CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
        String list = set.toCpulist();
        assertThat(CpulistParser.parse(list, 8192)).isEqualTo(set);
        assertThat(set.stream().boxed().toList()).isEqualTo(new TreeSet<>(cpus).stream().toList());
        assertThat(set.size()).isEqualTo(cpus.size());
    }

    @Property
    void canonicalFormIsShortestOfKernelStyle(@ForAll("cpuSets") Set<Integer> cpus) {
        CpuSet set = CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
        String list = set.toCpulist();
        // every maximal run is written once: as many comma-separated parts as ranges, each either a or a-b
        assertThat(list.isEmpty() ? 0 : list.split(",").length).isEqualTo(set.rangeCount());
        assertThat(list).matches("(\\d+(-\\d+)?(,\\d+(-\\d+)?)*)?");
    }

    @Property
    void setAlgebraAgreesWithJavaSets(@ForAll("cpuSets") Set<Integer> a, @ForAll("cpuSets") Set<Integer> b) {
        CpuSet x = CpuSet.of(a.stream().mapToInt(Integer::intValue).toArray());
        CpuSet y = CpuSet.of(b.stream().mapToInt(Integer::intValue).toArray());
        Set<Integer> union = new TreeSet<>(a);
        union.addAll(b);
        Set<Integer> inter = new TreeSet<>(a);
        inter.retainAll(b);
        Set<Integer> diff = new TreeSet<>(a);
        diff.removeAll(b);
        assertThat(x.union(y).stream().boxed().toList()).isEqualTo(union.stream().toList());
        assertThat(x.intersect(y).stream().boxed().toList()).isEqualTo(inter.stream().toList());
        assertThat(x.minus(y).stream().boxed().toList()).isEqualTo(diff.stream().toList());
        assertThat(x.intersects(y)).isEqualTo(!inter.isEmpty());
        assertThat(x.isSubsetOf(y)).isEqualTo(b.containsAll(a));
        assertThat(CpuSet.fromWords(x.toWords())).isEqualTo(x);
    }

    @Property
    void rangesMatchElementwiseConstruction(@ForAll("bounds") int from, @ForAll("bounds") int len) {
        CpuSet r = CpuSet.range(from, from + len);
        CpuSet.Builder b = CpuSet.builder();
        for (int c = from; c <= from + len; c++) b.add(c);
        assertThat(r).isEqualTo(b.build());
        assertThat(r.toCpulist()).isEqualTo(len == 0 ? String.valueOf(from) : from + "-" + (from + len));
    }

    @Provide
    Arbitrary<Integer> bounds() {
        return Arbitraries.integers().between(0, 300);
    }

    @Property
    void shiftMovesEveryMemberByTheDelta(@ForAll("cpuSets") Set<Integer> cpus, @ForAll @net.jqwik.api.constraints.IntRange(min = 0, max = 140_000) int up) {
        CpuSet set = CpuSet.of(cpus.stream().mapToInt(Integer::intValue).toArray());
        CpuSet shifted = set.shift(up);
        assertThat(shifted.stream().boxed().toList()).isEqualTo(set.stream().map(c -> c + up).boxed().toList());
        assertThat(shifted.shift(-up)).isEqualTo(set);
        if (!set.isEmpty() && set.first() > 0) {
            int down = -set.first();
            assertThat(set.shift(down).first()).isZero();
            assertThat(set.shift(down).size()).isEqualTo(set.size());
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> set.shift(down - 1)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
