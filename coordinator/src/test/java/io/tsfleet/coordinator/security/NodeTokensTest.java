package io.tsfleet.coordinator.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The two forms of {@code node-tokens} entries, and the entries that stop the start (without echoing a token). */
class NodeTokensTest {

    @Test
    void boundAndUnboundEntries() {
        NodeTokens t = NodeTokens.parse(List.of(" worker-1=abc ", "", "shared", "node.zone-a = def"));
        assertThat(t.match("abc")).contains(new NodeTokens.Match.OneNode("worker-1"));
        assertThat(t.match("def")).contains(new NodeTokens.Match.OneNode("node.zone-a"));
        assertThat(t.match("shared")).contains(new NodeTokens.Match.AnyNode());
        assertThat(t.match("worker-1=abc")).isEmpty();
        assertThat(t.match("")).isEmpty();
        assertThat(t.hasUnbound()).isTrue();
        assertThat(t.boundCount()).isEqualTo(2);
        assertThat(NodeTokens.parse(List.of("w1=a")).hasUnbound()).isFalse();
        assertThat(NodeTokens.parse(List.of()).isEmpty()).isTrue();
    }

    @Test
    void badEntriesAreClearErrorsThatDoNotShowTheToken() {
        assertThatThrownBy(() -> NodeTokens.parse(List.of("Worker_1=secret-1"))).hasMessageContaining("entry 1 is not <node>=<token>")
                .hasMessageNotContaining("secret-1");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("=secret-1"))).hasMessageContaining("entry 1 is not <node>=<token>");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("abc==", "x"))).as("an unbound token with '=' is refused, not misread")
                .hasMessageContaining("a token without a node may not contain '='");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("w1="))).hasMessageContaining("entry 1 (node 'w1') has an empty token");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("w1=a", "w1=b"))).hasMessageContaining("node 'w1' has a second token (entry 2)");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("w1=secret-1", "w2=secret-1"))).hasMessageContaining("entry 2 repeats the token")
                .hasMessageNotContaining("secret-1");
        assertThatThrownBy(() -> NodeTokens.parse(List.of("secret-1", "w2=secret-1"))).hasMessageContaining("entry 2 repeats the token");
    }
}
