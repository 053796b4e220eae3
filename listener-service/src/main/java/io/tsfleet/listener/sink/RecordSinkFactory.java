package io.tsfleet.listener.sink;

import java.io.IOException;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.TreeMap;

/**
 * Resolves {@code tsfleet.listener.sink} ({@code none}, {@code jsonl:<path>}, or {@code <scheme>:<argument>} of a
 * contributed provider) to a sink, rate-limited when the option {@value #MAX_RECORDS_PER_SECOND} is set.
 */
public final class RecordSinkFactory {
    /** A sink option that applies to every sink: cap its record rate (see {@link RateLimitedSink}). */
    public static final String MAX_RECORDS_PER_SECOND = "max-records-per-second";
    private final Map<String, RecordSinkProvider> providers = new TreeMap<>();

    public RecordSinkFactory(List<RecordSinkProvider> contributed) {
        register(new NoneSink.Provider());
        register(new JsonLinesSink.Provider());
        register(new StdoutSink.Provider());
        ServiceLoader.load(RecordSinkProvider.class).forEach(this::register);
        contributed.forEach(this::register);
    }

    private void register(RecordSinkProvider p) {
        providers.put(p.scheme().toLowerCase(Locale.ROOT), p);
    }

    /** The schemes there are providers for, lower case. */
    public Set<String> schemes() {
        return Collections.unmodifiableSet(providers.keySet());
    }

    /** The sinks of {@code tsfleet.listener.sink} (a comma-separated list), each with its own options ({@link SinkList}). */
    public List<SinkSpec> parse(String list, Map<String, String> options) {
        return SinkList.parse(list, options, providers.keySet());
    }

    /**
     * Opens one sink of the list with its own options; a sink that confirms its writes later reports them to
     * {@code outcomes}. Rate-limited when its option {@value #MAX_RECORDS_PER_SECOND} is set.
     */
    public RecordSink open(SinkSpec spec, String replicaId, SinkOutcomes outcomes) throws IOException {
        RecordSinkProvider p = providers.get(spec.scheme());
        if (p == null) throw new IllegalArgumentException("unknown sink scheme '" + spec.scheme() + "'; known: " + providers.keySet());
        SinkContext context = new SinkContext(replicaId, spec.options(), outcomes);
        RecordSink sink;
        try {
            sink = p.open(spec.argument(), context);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("sink '" + spec + "': " + e.getMessage(), e);
        }
        long cap;
        try {
            cap = context.longOption(MAX_RECORDS_PER_SECOND, 0, 0);
        } catch (IllegalArgumentException e) {
            sink.close();
            throw new IllegalArgumentException("sink '" + spec + "': " + e.getMessage(), e);
        }
        return cap > 0 ? new RateLimitedSink(sink, cap) : sink;
    }

    public RecordSink open(String spec, SinkContext context) throws IOException {
        if (spec == null || spec.isBlank()) throw new IllegalArgumentException("tsfleet.listener.sink is empty; use none or jsonl:<path>");
        int colon = spec.indexOf(':');
        String scheme = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
        String argument = colon < 0 ? "" : spec.substring(colon + 1);
        RecordSinkProvider p = providers.get(scheme);
        if (p == null) {
            throw new IllegalArgumentException("unknown sink scheme '" + scheme + "' in '" + spec + "'; known: " + providers.keySet());
        }
        RecordSink sink = p.open(argument, context);
        long cap = context.longOption(MAX_RECORDS_PER_SECOND, 0, 0);
        return cap > 0 ? new RateLimitedSink(sink, cap) : sink;
    }
}
