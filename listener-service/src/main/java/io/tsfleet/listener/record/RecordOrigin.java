package io.tsfleet.listener.record;

import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * Where the records of one broker connection come from: the node the broker serves and the id of that node's current
 * boot, as the broker reported them in the handshake ({@code TSFLEET_SOCK ATTR_NODE}, {@code ATTR_BOOT_ID}); either is
 * null when the broker does not say (an older broker). The kernel numbers each CPU's exits from boot to shutdown, so
 * {@code (node, bootId, cpu, seq)} names one exit wherever its record ends up.
 *
 * <p>One instance per connection, shared by all its records: the JSON members the JSON-lines sink writes for it are
 * encoded once, here, not per record.
 */
public final class RecordOrigin {
    /** A broker that reported neither node nor boot id. */
    public static final RecordOrigin UNKNOWN = new RecordOrigin(null, null);

    private final String node;
    private final String bootId;
    private final byte[] jsonMembers;

    private RecordOrigin(String node, String bootId) {
        this.node = node;
        this.bootId = bootId;
        this.jsonMembers = ("\"node\":" + jsonString(node) + ",\"boot_id\":" + jsonString(bootId)).getBytes(StandardCharsets.UTF_8);
    }

    /** The origin of a connection whose broker reported these values (null: not reported). */
    public static RecordOrigin of(String node, String bootId) {
        return node == null && bootId == null ? UNKNOWN : new RecordOrigin(node, bootId);
    }

    /** The node's name, or null when the broker did not report it. */
    public String node() {
        return node;
    }

    /** The boot's id (a lower-case UUID), or null when the broker did not report it. */
    public String bootId() {
        return bootId;
    }

    /**
     * {@code "node":…,"boot_id":…} (a value not reported is {@code null}), UTF-8: what the JSON-lines sink copies into
     * every record of the connection. The array is shared: callers must not change it.
     */
    public byte[] jsonMembers() {
        return jsonMembers;
    }

    private static String jsonString(String s) {
        if (s == null) return "null";
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20 || c == 0x7F) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RecordOrigin r && Objects.equals(node, r.node) && Objects.equals(bootId, r.bootId);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, bootId);
    }

    @Override
    public String toString() {
        return "node " + (node == null ? "unknown" : node) + ", boot " + (bootId == null ? "unknown" : bootId);
    }
}
