package io.tsfleet.listener.sink;

import java.util.Map;

/**
 * What a sink may need to know: the replica id (it goes into every record) and the sink options
 * ({@code tsfleet.listener.sink-options.*}), free-form per sink.
 */
public record SinkContext(String replicaId, Map<String, String> options) {
    public SinkContext {
        options = Map.copyOf(options);
    }

    /** A numeric option, or the default; a non-numeric or out-of-range value is an error. */
    public long longOption(String name, long defaultValue, long min) {
        String v = options.get(name);
        if (v == null) return defaultValue;
        long n;
        try {
            n = Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("sink option " + name + "='" + v + "' is not a number");
        }
        if (n < min) throw new IllegalArgumentException("sink option " + name + "=" + n + " is below " + min);
        return n;
    }
}
