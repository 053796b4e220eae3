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
 * encoded once, here, not per record. It also names the slot node: the node under which the replica holds the CPU
 * (the coordinator's name for it), which is what a sink's {@code RecordsLostException} attributes lost records to. It
 * is the broker's node when the coordinator named the broker (the replica checks it), and may differ from it when the
 * replica dials its configured broker for a node the coordinator names otherwise (a static fleet's {@code local}).
 */
public final class RecordOrigin {
    /** A broker that reported neither node nor boot id. */
    public static final RecordOrigin UNKNOWN = new RecordOrigin(null, null, null);

    private final String node;
    private final String bootId;
    private final String slotNode;
    private final byte[] jsonMembers;

    private RecordOrigin(String node, String bootId, String slotNode) {
        this.node = node;
        this.bootId = bootId;
        this.slotNode = slotNode;
        this.jsonMembers = ("\"node\":" + jsonString(node) + ",\"boot_id\":" + jsonString(bootId)).getBytes(StandardCharsets.UTF_8);
    }

    /** The origin of a connection whose broker reported these values (null: not reported). */
    public static RecordOrigin of(String node, String bootId) {
        return node == null && bootId == null ? UNKNOWN : new RecordOrigin(node, bootId, node);
    }

    /** The origin of a connection whose broker reported these values, for a CPU held under {@code slotNode}. */
    public static RecordOrigin of(String node, String bootId, String slotNode) {
        return node == null && bootId == null && slotNode == null ? UNKNOWN : new RecordOrigin(node, bootId, slotNode);
    }

    /** The node under which the replica holds the record's CPU (the coordinator's name for it); null when not known. */
    public String slotNode() {
        return slotNode;
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
        return o instanceof RecordOrigin r && Objects.equals(node, r.node) && Objects.equals(bootId, r.bootId)
                && Objects.equals(slotNode, r.slotNode);
    }

    @Override
    public int hashCode() {
        return Objects.hash(node, bootId, slotNode);
    }

    @Override
    public String toString() {
        return "node " + (node == null ? "unknown" : node) + ", boot " + (bootId == null ? "unknown" : bootId);
    }
}
