package io.tsfleet.helm.support;

import com.atlassian.oai.validator.report.MessageResolver;
import com.atlassian.oai.validator.report.ValidationReport;
import com.atlassian.oai.validator.schema.SchemaValidator;
import com.fasterxml.jackson.databind.JsonNode;
import io.swagger.parser.OpenAPIParser;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.media.ComposedSchema;
import io.swagger.v3.oas.models.media.IntegerSchema;
import io.swagger.v3.oas.models.media.NumberSchema;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.media.StringSchema;
import io.swagger.v3.parser.core.models.ParseOptions;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Strict offline validation of Kubernetes objects against the OpenAPI definitions that
 * {@code io.fabric8:kubernetes-model-validator} bundles (Kubernetes about 1.34 and prometheus-operator's
 * {@code monitoring.coreos.com}): unknown fields, wrong types and missing required fields are errors.
 * <p>
 * The validator's own entry point has three gaps, closed here: groups ending in {@code .k8s.io} (RBAC, Lease,
 * NetworkPolicy...) map to definitions that do not exist and were silently accepted; an unknown apiVersion/kind
 * was silently accepted (here it is an error); and {@code IntOrString}/{@code Quantity} are typed string only,
 * which rejects {@code targetPort: 8080} or {@code cpu: 1} (here they are string or number).
 */
public final class KubernetesSchemaValidator {
    private static final String SPEC = "/openshift-generated.json";
    private static final List<String> INT_OR_STRING = List.of(
            "io.k8s.apimachinery.pkg.util.intstr.IntOrString", "io.k8s.apimachinery.pkg.api.resource.Quantity");

    private final Map<String, Schema> definitions;
    private final SchemaValidator validator;

    public KubernetesSchemaValidator() {
        String spec;
        try (InputStream in = KubernetesSchemaValidator.class.getResourceAsStream(SPEC)) {
            if (in == null) {
                throw new IllegalStateException(SPEC + " is missing: io.fabric8:kubernetes-model-validator is not on the classpath");
            }
            spec = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        OpenAPI api = new OpenAPIParser().readContents(spec, null, options).getOpenAPI();
        definitions = api.getComponents().getSchemas();
        for (String name : INT_OR_STRING) {
            definitions.put(name, new ComposedSchema().anyOf(List.of(new StringSchema(), new IntegerSchema(), new NumberSchema())));
        }
        validator = new SchemaValidator(api, new MessageResolver());
    }

    /** The errors of one object; empty when it is valid. */
    public List<String> validate(JsonNode object) {
        String apiVersion = object.path("apiVersion").asText();
        String kind = object.path("kind").asText();
        String definition = definitionName(apiVersion, kind);
        Schema<?> schema = definition == null ? null : definitions.get(definition);
        if (schema == null) {
            return List.of("no schema for apiVersion " + apiVersion + " kind " + kind + " (definition " + definition + ")");
        }
        List<String> errors = new ArrayList<>();
        for (ValidationReport.Message message : validator.validate(() -> object, schema, "object").getMessages()) {
            if (message.getLevel() == ValidationReport.Level.ERROR) {
                errors.add(message.getMessage());
            }
        }
        return errors;
    }

    /** The OpenAPI definition of an apiVersion/kind: {@code apps/v1 Deployment} is {@code io.k8s.api.apps.v1.Deployment}. */
    static String definitionName(String apiVersion, String kind) {
        if (kind.isEmpty()) {
            return null;
        }
        if (apiVersion.equals("v1")) {
            return "io.k8s.api.core.v1." + kind;
        }
        String[] groupVersion = apiVersion.split("/");
        if (groupVersion.length != 2) {
            return null;
        }
        String group = groupVersion[0];
        String version = groupVersion[1];
        if (!group.contains(".")) {
            return "io.k8s.api." + group + "." + version + "." + kind;
        }
        if (group.endsWith(".k8s.io")) {
            return "io.k8s.api." + group.substring(0, group.indexOf('.')) + "." + version + "." + kind;
        }
        List<String> parts = new ArrayList<>(List.of(group.split("\\.")));
        Collections.reverse(parts);
        return String.join(".", parts) + "." + version + "." + kind;
    }
}
