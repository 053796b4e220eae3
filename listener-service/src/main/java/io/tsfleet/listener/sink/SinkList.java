package io.tsfleet.listener.sink;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Parses {@code tsfleet.listener.sink}: a comma-separated list of {@code <scheme>[:<argument>]}, at most one sink per
 * scheme (arguments never contain commas), and scopes {@code tsfleet.listener.sink-options}: an option
 * {@code <scheme>.<option>} whose first part is a known scheme applies to that sink only, without the prefix; any other
 * option ({@code <option>}, bare) applies to every sink; the scheme-scoped one wins. A bad list is an
 * {@link IllegalArgumentException} that names the entry and says what is wrong.
 */
public final class SinkList {
    private static final Pattern SCHEME = Pattern.compile("[a-z][a-z0-9_-]*");

    private SinkList() {
    }

    /**
     * The sinks of {@code list}, in its order, each with its options.
     *
     * @param known the schemes there are providers for
     */
    public static List<SinkSpec> parse(String list, Map<String, String> options, Collection<String> known) {
        if (list == null || list.isBlank()) {
            throw new IllegalArgumentException("tsfleet.listener.sink is empty; use none, or a comma-separated list of sinks like jsonl:<path>,stdout");
        }
        Set<String> schemes = new TreeSet<>(known);
        Map<String, String> bare = new LinkedHashMap<>();
        Map<String, Map<String, String>> scoped = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : (options == null ? Map.<String, String>of() : options).entrySet()) {
            String key = e.getKey();
            int dot = key.indexOf('.');
            String prefix = dot > 0 ? key.substring(0, dot).toLowerCase(Locale.ROOT) : null;
            if (prefix != null && schemes.contains(prefix) && dot < key.length() - 1) {
                scoped.computeIfAbsent(prefix, k -> new LinkedHashMap<>()).put(key.substring(dot + 1), e.getValue());
            } else {
                bare.put(key, e.getValue());
            }
        }
        List<SinkSpec> out = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        String[] entries = list.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            if (entry.isEmpty()) {
                throw new IllegalArgumentException("tsfleet.listener.sink '" + list + "': entry " + (i + 1) + " of " + entries.length
                        + " is empty (a doubled, leading or trailing comma)");
            }
            int colon = entry.indexOf(':');
            String scheme = (colon < 0 ? entry : entry.substring(0, colon)).strip().toLowerCase(Locale.ROOT);
            String argument = colon < 0 ? "" : entry.substring(colon + 1);
            if (!SCHEME.matcher(scheme).matches() || !schemes.contains(scheme)) {
                throw new IllegalArgumentException("tsfleet.listener.sink '" + list + "': unknown sink scheme '" + scheme + "' in entry '"
                        + entry + "'; known: " + schemes);
            }
            if (!seen.add(scheme)) {
                throw new IllegalArgumentException("tsfleet.listener.sink '" + list + "': sink '" + scheme
                        + "' is listed twice; at most one sink per scheme");
            }
            Map<String, String> own = new LinkedHashMap<>(bare);
            own.putAll(scoped.getOrDefault(scheme, Map.of()));
            out.add(new SinkSpec(scheme, argument, own));
        }
        return out;
    }

    /** The options scoped to a known scheme that is not in the list (they apply to nothing: worth a warning). */
    public static Set<String> unusedScopedOptions(List<SinkSpec> sinks, Map<String, String> options, Collection<String> known) {
        Set<String> listed = new TreeSet<>();
        sinks.forEach(s -> listed.add(s.scheme()));
        Set<String> unused = new TreeSet<>();
        if (options == null) return unused;
        for (String key : options.keySet()) {
            int dot = key.indexOf('.');
            if (dot <= 0) continue;
            String prefix = key.substring(0, dot).toLowerCase(Locale.ROOT);
            if (known.contains(prefix) && !listed.contains(prefix)) unused.add(key);
        }
        return unused;
    }
}
