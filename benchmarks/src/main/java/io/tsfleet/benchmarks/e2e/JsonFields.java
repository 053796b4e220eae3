package io.tsfleet.benchmarks.e2e;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/** Reads top-level numeric fields of the one-line JSON objects that the storm and pylisten tools print. */
final class JsonFields {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private JsonFields() {
    }

    static double doubleField(String json, String field) {
        JsonNode v = JSON.readTree(json).get(field);
        if (v == null || !v.isNumber()) throw new IllegalArgumentException("no top-level numeric field \"" + field + "\" in " + json);
        return v.asDouble();
    }

    static long longField(String json, String field) {
        return Math.round(doubleField(json, field));
    }
}
