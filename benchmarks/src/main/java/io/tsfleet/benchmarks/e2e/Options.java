package io.tsfleet.benchmarks.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Command-line options of the harness: {@code --key value} pairs and {@code --flag}s. Every key a command reads is
 * declared with its default; an unknown key, a missing value or a malformed number is an error naming the option, and
 * nothing runs.
 */
public final class Options {
    private final Map<String, String> values = new LinkedHashMap<>();
    private final Set<String> flags = new HashSet<>();
    private final Set<String> known = new HashSet<>();
    private final List<String> help = new ArrayList<>();

    public static Options parse(List<String> args, Set<String> flagNames) {
        Options o = new Options();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() < 3) throw new IllegalArgumentException("expected --option, got '" + a + "'");
            String key = a.substring(2);
            int eq = key.indexOf('=');
            if (eq > 0) {
                o.put(key.substring(0, eq), key.substring(eq + 1));
            } else if (flagNames.contains(key)) {
                o.flags.add(key);
            } else {
                if (i + 1 >= args.size()) throw new IllegalArgumentException("--" + key + " needs a value");
                o.put(key, args.get(++i));
            }
        }
        return o;
    }

    private void put(String key, String value) {
        if (values.put(key, value) != null) throw new IllegalArgumentException("--" + key + " given twice");
    }

    private String raw(String key, String defaultValue, String description) {
        known.add(key);
        help.add(String.format("  --%-22s %s (default %s)", key, description, defaultValue));
        return values.getOrDefault(key, defaultValue);
    }

    public boolean flag(String key, String description) {
        known.add(key);
        help.add(String.format("  --%-22s %s", key, description));
        return flags.contains(key);
    }

    public String string(String key, String defaultValue, String description) {
        return raw(key, defaultValue, description);
    }

    public Path path(String key, String defaultValue, String description) {
        return Path.of(raw(key, defaultValue, description));
    }

    public int integer(String key, int defaultValue, int min, int max, String description) {
        String v = raw(key, Integer.toString(defaultValue), description);
        try {
            int i = Integer.parseInt(v.replace("_", ""));
            if (i < min || i > max) throw new IllegalArgumentException("--" + key + " must be within " + min + ".." + max + ": " + v);
            return i;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " is not an integer: " + v, e);
        }
    }

    public double number(String key, double defaultValue, double min, double max, String description) {
        String v = raw(key, stripZero(defaultValue), description);
        try {
            double d = Double.parseDouble(v.replace("_", ""));
            if (!(d >= min && d <= max)) throw new IllegalArgumentException("--" + key + " must be within " + stripZero(min) + ".." + stripZero(max) + ": " + v);
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " is not a number: " + v, e);
        }
    }

    /** A comma-separated list of integers, each within min..max. */
    public List<Integer> integers(String key, String defaultValue, int min, int max, String description) {
        String v = raw(key, defaultValue, description);
        List<Integer> out = new ArrayList<>();
        for (String p : v.split(",")) {
            try {
                int i = Integer.parseInt(p.trim());
                if (i < min || i > max) throw new IllegalArgumentException("--" + key + ": " + i + " is not within " + min + ".." + max);
                out.add(i);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--" + key + " must be a comma-separated list of integers: " + v, e);
            }
        }
        return List.copyOf(out);
    }

    /** {@code 500ms}, {@code 4s}, {@code 2m}. */
    public Duration duration(String key, String defaultValue, String description) {
        String v = raw(key, defaultValue, description).trim();
        try {
            Duration d;
            if (v.endsWith("ms")) d = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
            else if (v.endsWith("s")) d = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
            else if (v.endsWith("m")) d = Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
            else throw new NumberFormatException("no unit");
            if (d.isNegative()) throw new IllegalArgumentException("--" + key + " must not be negative: " + v);
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + key + " must be a duration like 500ms, 4s or 2m: " + v, e);
        }
    }

    /** Fails when an option was given that no reader declared (call after reading every option). */
    public void rejectUnknown() {
        for (String k : values.keySet()) if (!known.contains(k)) throw new IllegalArgumentException("unknown option --" + k + "\n" + usage());
        for (String k : flags) if (!known.contains(k)) throw new IllegalArgumentException("unknown option --" + k + "\n" + usage());
    }

    public String usage() {
        return String.join("\n", help);
    }

    private static String stripZero(double d) {
        return d == Math.rint(d) && Math.abs(d) < 1e15 ? Long.toString((long) d) : Double.toString(d);
    }
}
