package io.tsfleet.helm.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.stream.Stream;

/** The objects of one rendering of the chart, parsed. */
public record Manifests(List<JsonNode> objects) {
    public static final ObjectMapper YAML = new YAMLMapper();
    public static final ObjectMapper JSON = new ObjectMapper();

    public static Manifests parse(String multiDocumentYaml) {
        List<JsonNode> objects = new ArrayList<>();
        try (MappingIterator<JsonNode> documents = YAML.readerFor(JsonNode.class)
                .readValues(new YAMLFactory().createParser(multiDocumentYaml))) {
            while (documents.hasNext()) {
                JsonNode document = documents.next();
                if (document != null && !document.isNull() && !document.isEmpty()) {
                    objects.add(document);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("the rendering is not YAML", e);
        }
        return new Manifests(List.copyOf(objects));
    }

    public static JsonNode readYaml(Path file) {
        try {
            return YAML.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    public static JsonNode readYaml(String text) {
        try {
            return YAML.readTree(text);
        } catch (IOException e) {
            throw new UncheckedIOException("not YAML: " + text, e);
        }
    }

    public Stream<JsonNode> stream() {
        return objects.stream();
    }

    public List<JsonNode> ofKind(String kind) {
        return objects.stream().filter(o -> kind.equals(o.path("kind").asText())).toList();
    }

    public JsonNode get(String kind, String name) {
        return objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name.equals(name(o)))
                .findFirst()
                .orElseThrow(() -> new NoSuchElementException("no " + kind + " " + name + " in " + ids()));
    }

    /** The object of that kind whose name ends with {@code -suffix}. */
    public JsonNode component(String kind, String suffix) {
        List<JsonNode> found = objects.stream()
                .filter(o -> kind.equals(o.path("kind").asText()) && name(o).endsWith("-" + suffix))
                .toList();
        if (found.size() != 1) {
            throw new NoSuchElementException(found.size() + " objects " + kind + " *-" + suffix + " in " + ids());
        }
        return found.getFirst();
    }

    public List<String> ids() {
        return objects.stream().map(Manifests::id).toList();
    }

    public static String name(JsonNode object) {
        return object.at("/metadata/name").asText();
    }

    public static String id(JsonNode object) {
        return object.path("kind").asText() + "/" + name(object);
    }

    /** The pod template of a workload (Deployment, DaemonSet). */
    public static JsonNode podSpec(JsonNode workload) {
        return workload.at("/spec/template/spec");
    }

    /** The application.yaml carried by a component's ConfigMap, parsed. */
    public JsonNode applicationConfig(String component) {
        return readYaml(component("ConfigMap", component + "-config").at("/data/application.yaml").asText());
    }
}
