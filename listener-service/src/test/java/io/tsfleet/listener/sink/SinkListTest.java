package io.tsfleet.listener.sink;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code tsfleet.listener.sink} as a list, and the options scoped per scheme. */
class SinkListTest {
    private static final Set<String> KNOWN = Set.of("none", "jsonl", "stdout", "kafka", "otlp");

    private static List<SinkSpec> parse(String list, Map<String, String> options) {
        return SinkList.parse(list, options, KNOWN);
    }

    @Test
    void aListKeepsItsOrderAndEachSinkItsArgument() {
        List<SinkSpec> sinks = parse(" jsonl:/data/r.jsonl , stdout,KAFKA:tsfleet-exits,otlp:http/protobuf", Map.of());
        assertThat(sinks).extracting(SinkSpec::scheme).containsExactly("jsonl", "stdout", "kafka", "otlp");
        assertThat(sinks).extracting(SinkSpec::argument).containsExactly("/data/r.jsonl", "", "tsfleet-exits", "http/protobuf");
        assertThat(parse("none", Map.of())).singleElement().isEqualTo(new SinkSpec("none", "", Map.of()));
    }

    @Test
    void bareOptionsApplyToEverySinkAndSchemeScopedOnesToTheirSinkOnlyWinningWithoutThePrefix() {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("max-records-per-second", "1000");
        options.put("when-slow", "drop");
        options.put("jsonl.when-slow", "block");
        options.put("jsonl.max-file-bytes", "512MB");
        options.put("kafka.bootstrap-servers", "k:9092");
        options.put("kafka.producer.linger.ms", "5");
        options.put("otlp.endpoint", "http://c:4318"); // otlp is not in the list: applies to nothing
        List<SinkSpec> sinks = parse("jsonl:/r.jsonl,kafka:t,stdout", options);

        assertThat(sinks.get(0).options()).containsExactlyInAnyOrderEntriesOf(Map.of("max-records-per-second", "1000", "when-slow", "block",
                "max-file-bytes", "512MB"));
        assertThat(sinks.get(1).options()).containsExactlyInAnyOrderEntriesOf(Map.of("max-records-per-second", "1000", "when-slow", "drop",
                "bootstrap-servers", "k:9092", "producer.linger.ms", "5"));
        assertThat(sinks.get(2).options()).containsExactlyInAnyOrderEntriesOf(Map.of("max-records-per-second", "1000", "when-slow", "drop"));
        assertThat(SinkList.unusedScopedOptions(sinks, options, KNOWN)).containsExactly("otlp.endpoint");
    }

    @Test
    void aDuplicateSchemeAnEmptyEntryAndAnUnknownSchemeAreClearErrors() {
        assertThatThrownBy(() -> parse("jsonl:/a,stdout,jsonl:/b", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("sink 'jsonl' is listed twice").hasMessageContaining("at most one sink per scheme");
        assertThatThrownBy(() -> parse("jsonl:/a,,stdout", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("entry 2 of 3 is empty");
        assertThatThrownBy(() -> parse("stdout,", Map.of())).hasMessageContaining("entry 2 of 2 is empty");
        assertThatThrownBy(() -> parse(",stdout", Map.of())).hasMessageContaining("entry 1 of 2 is empty");
        assertThatThrownBy(() -> parse("stdout,kafak:t", Map.of())).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unknown sink scheme 'kafak'").hasMessageContaining("known: [jsonl, kafka, none, otlp, stdout]");
        assertThatThrownBy(() -> parse(":x", Map.of())).hasMessageContaining("unknown sink scheme ''");
        assertThatThrownBy(() -> parse("  ", Map.of())).hasMessageContaining("tsfleet.listener.sink is empty");
        assertThatThrownBy(() -> parse(null, Map.of())).hasMessageContaining("tsfleet.listener.sink is empty");
    }

    // ---- the grammar, as a property: list = entry ("," entry)*, entry = scheme [":" argument] ----

    @Provide
    Arbitrary<List<String>> entries() {
        Arbitrary<String> argument = Arbitraries.strings().withCharRange('!', '~').withChars(' ', ':').ofMaxLength(12)
                .filter(s -> !s.contains(","));
        Arbitrary<String> entry = Arbitraries.of(List.copyOf(KNOWN)).flatMap(scheme -> argument.injectNull(0.3)
                .map(arg -> arg == null ? scheme : scheme + ":" + arg));
        return entry.list().ofMinSize(1).ofMaxSize(6);
    }

    @Property(tries = 400)
    void aListOfDistinctSchemesParsesBackToItsEntriesAndARepeatedSchemeIsRefused(@ForAll("entries") List<String> entries) {
        String list = String.join(",", entries);
        List<String> schemes = new ArrayList<>();
        for (String e : entries) schemes.add(e.contains(":") ? e.substring(0, e.indexOf(':')) : e);
        boolean distinct = schemes.stream().distinct().count() == schemes.size();
        boolean blankEntry = entries.stream().anyMatch(String::isBlank);
        if (!distinct) {
            assertThatThrownBy(() -> parse(list, Map.of())).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("listed twice");
            return;
        }
        assertThat(blankEntry).isFalse();
        List<SinkSpec> sinks = parse(list, Map.of());
        assertThat(sinks).extracting(SinkSpec::scheme).containsExactlyElementsOf(schemes);
        for (int i = 0; i < entries.size(); i++) {
            String e = entries.get(i).strip();
            String argument = e.contains(":") ? e.substring(e.indexOf(':') + 1) : "";
            assertThat(sinks.get(i).argument()).isEqualTo(argument);
            assertThat(sinks.get(i).toString()).isEqualTo(argument.isEmpty() ? schemes.get(i) : e);
        }
    }

    @Property(tries = 200)
    void anEmptyEntryAnywhereIsRefused(@ForAll("entries") List<String> entries, @ForAll("positions") int at) {
        List<String> withEmpty = new ArrayList<>(entries);
        withEmpty.add(Math.min(at, withEmpty.size()), " ");
        assertThatThrownBy(() -> parse(String.join(",", withEmpty), Map.of())).isInstanceOf(IllegalArgumentException.class)
                .satisfiesAnyOf(e -> assertThat(e).hasMessageContaining("is empty"), e -> assertThat(e).hasMessageContaining("listed twice"));
    }

    @Provide
    Arbitrary<Integer> positions() {
        return Arbitraries.integers().between(0, 6);
    }
}
