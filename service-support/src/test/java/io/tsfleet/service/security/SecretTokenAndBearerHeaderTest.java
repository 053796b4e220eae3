package io.tsfleet.service.security;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecretTokenAndBearerHeaderTest {

    @Test
    void aSecretTokenMatchesExactlyItself() {
        SecretToken t = SecretToken.of("abc");
        assertThat(t.matches("abc")).isTrue();
        assertThat(t.matches("abcd")).isFalse();
        assertThat(t.matches("ab")).isFalse();
        assertThat(t.matches("ABC")).isFalse();
        assertThat(t.matches("")).isFalse();
        assertThat(t.matches(null)).isFalse();
        assertThat(t.toString()).doesNotContain("abc");
        assertThatThrownBy(() -> SecretToken.of(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void anyMatchesLooksAtEveryToken() {
        List<SecretToken> tokens = List.of(SecretToken.of("a"), SecretToken.of("b"));
        assertThat(SecretToken.anyMatches(tokens, "b")).isTrue();
        assertThat(SecretToken.anyMatches(tokens, "c")).isFalse();
        assertThat(SecretToken.anyMatches(List.of(), "a")).isFalse();
    }

    @Test
    void theBearerHeaderTellsNoHeaderOtherSchemesAndTokensApart() {
        assertThat(BearerHeader.of((String) null)).isInstanceOf(BearerHeader.Absent.class);
        assertThat(BearerHeader.of("Basic dXNlcjpwdw==")).isInstanceOf(BearerHeader.OtherScheme.class);
        assertThat(BearerHeader.of("Bearer")).isInstanceOf(BearerHeader.OtherScheme.class);
        assertThat(BearerHeader.of("bEaReR  tok ")).isEqualTo(new BearerHeader.Token("tok"));
        assertThat(BearerHeader.of("Bearer ")).isEqualTo(new BearerHeader.Token(""));
        assertThat(new BearerHeader.Token("tok").toString()).doesNotContain("tok");
    }
}
