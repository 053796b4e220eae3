package io.tsfleet.listener.sink;

import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
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
