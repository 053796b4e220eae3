package io.tsfleet.protocol;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The recorded answers of a real kernel ({@code testdata/shared/conformance/kernel-oracle-public.json}), located
 * through the system property {@code tsfleet.shared.dir} that the build sets. Shared with other modules through
 * the protocol test jar.
 */
public final class KernelOracle {
    private final JsonNode root;

    private KernelOracle(JsonNode root) {
        this.root = root;
    }

    public static Path sharedDir() {
        String dir = System.getProperty("tsfleet.shared.dir");
        Path p = dir != null ? Path.of(dir) : Path.of("testdata/shared");
        if (!Files.isDirectory(p)) throw new IllegalStateException("shared test data not found at " + p.toAbsolutePath()
                + " (set -Dtsfleet.shared.dir)");
        return p;
    }

    public static KernelOracle load() {
        Path file = sharedDir().resolve("conformance/kernel-oracle-public.json");
        try {
            return new KernelOracle(new ObjectMapper().readTree(Files.readString(file)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    public JsonNode meta() {
        return root.get("meta");
    }

    public int nrCpus() {
        return meta().get("nr_cpus_config").asInt();
    }

    public int nrCpuIds() {
        return meta().get("nr_cpu_ids").asInt();
    }

    public List<JsonNode> cases(String group) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode c : root.get("cases")) if (c.get("group").asString().equals(group)) out.add(c);
        return out;
    }

    public static byte[] hex(String hex) {
        return HexFormat.of().parseHex(hex);
    }
}
