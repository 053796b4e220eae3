package io.tsfleet.helm.support;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** The Grafana dashboards of the chart ({@code files/dashboards/*.json}) and the PromQL they run. */
public final class Dashboards {
    /** One PromQL expression of a dashboard, with where it stands. */
    public record Query(String dashboard, String where, String expr) {
        /** The expression as Prometheus gets it, Grafana's variables replaced by what "All" and the defaults send. */
        public String resolved() {
            return resolve(expr);
        }
    }

    private static final Map<String, String> VARIABLES = Map.of(
            "$__rate_interval", "1m", "$__interval", "1m", "$__range", "1h",
            "$namespace", ".*", "$fleet", ".*", "$node", ".*", "$instance", ".*", "$delay", ".*", "$sink", ".*");
    private static final Pattern LABEL_VALUES = Pattern.compile("^label_values\\((.*),\\s*[a-zA-Z_][a-zA-Z0-9_]*\\)$", Pattern.DOTALL);

    private Dashboards() {
    }

    public static List<Path> files() {
        try (Stream<Path> files = Files.list(ProjectPaths.dashboards())) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static JsonNode read(Path file) {
        try {
            return Manifests.JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("not JSON: " + file, e);
        }
    }

    /** Every panel, rows' nested panels included. */
    public static List<JsonNode> panels(JsonNode dashboard) {
        List<JsonNode> panels = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            panels.add(panel);
            panel.path("panels").forEach(panels::add);
        }
        return panels;
    }

    /** Panel targets, annotation queries and the metric selectors of query variables. */
    public static List<Query> queries() {
        List<Query> queries = new ArrayList<>();
        for (Path file : files()) {
            JsonNode dashboard = read(file);
            String name = file.getFileName().toString();
            for (JsonNode panel : panels(dashboard)) {
                for (JsonNode target : panel.path("targets")) {
                    queries.add(new Query(name, "panel '" + panel.path("title").asText() + "' " + target.path("refId").asText(),
                            target.path("expr").asText()));
                }
            }
            for (JsonNode annotation : dashboard.at("/annotations/list")) {
                if (annotation.has("expr")) {
                    queries.add(new Query(name, "annotation '" + annotation.path("name").asText() + "'", annotation.path("expr").asText()));
                }
            }
            for (JsonNode variable : dashboard.at("/templating/list")) {
                if ("query".equals(variable.path("type").asText())) {
                    String query = variable.at("/query/query").asText(variable.path("query").asText());
                    Matcher m = LABEL_VALUES.matcher(query.trim());
                    if (!m.matches()) {
                        throw new IllegalStateException(name + ": variable " + variable.path("name").asText()
                                + " is not label_values(<selector>, <label>): " + query);
                    }
                    queries.add(new Query(name, "variable '" + variable.path("name").asText() + "'", m.group(1)));
                }
            }
        }
        return queries;
    }

    public static String resolve(String expr) {
        String resolved = expr;
        for (Map.Entry<String, String> variable : VARIABLES.entrySet()) {
            resolved = resolved.replace(variable.getKey(), variable.getValue());
        }
        if (resolved.contains("$")) {
            throw new IllegalStateException("a Grafana variable without a test value in: " + expr);
        }
        return resolved;
    }
}
