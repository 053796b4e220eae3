package io.tsfleet.listener.sink;

import java.util.Map;

/**
 * One entry of {@code tsfleet.listener.sink}: {@code <scheme>[:<argument>]}, with the options that apply to this sink
 * (the bare {@code sink-options.<option>} and, winning over them, {@code sink-options.<scheme>.<option>}, without the
 * {@code <scheme>.} prefix).
 *
 * @param scheme   lower case
 * @param argument what follows the first colon ("" without one)
 * @param options  this sink's options only
 */
public record SinkSpec(String scheme, String argument, Map<String, String> options) {
    public SinkSpec {
        options = Map.copyOf(options);
    }

    /** As it was written in the list. */
    @Override
    public String toString() {
        return argument.isEmpty() ? scheme : scheme + ":" + argument;
    }
}
