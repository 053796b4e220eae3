package io.tsfleet.benchmarks.e2e;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads top-level numeric fields from the one-line JSON that the storm and pylisten tools print. */
final class JsonFields {
    private JsonFields() {
    }

    static double doubleField(String json, String field) {
        Matcher m = Pattern.compile("\"" + Pattern.quote(field) + "\"\\s*:\\s*(-?[0-9.eE+-]+)").matcher(json);
        if (!m.find()) throw new IllegalArgumentException("no numeric field \"" + field + "\" in " + json);
        return Double.parseDouble(m.group(1));
    }

    static long longField(String json, String field) {
        return Math.round(doubleField(json, field));
    }
}
