package io.tsfleet.service.web;

import io.tsfleet.service.app.SupportTestApplication;
import io.tsfleet.testing.RawHttp;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.context.ApplicationContext;
import org.springframework.security.core.userdetails.UserDetailsService;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The shared body limit, firewall answer and 401 header over real HTTP, spelled byte for byte. */
@SpringBootTest(classes = SupportTestApplication.class, webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class RequestBodyLimitFilterTest {
    private static final String SMALL = "x".repeat(64);
    private static final String BIG = "x".repeat(65);

    @LocalServerPort
    int port;

    @Autowired
    ApplicationContext context;

    private RawHttp.Response post(String path, String body) throws IOException {
        return RawHttp.send(RawHttp.loopback(), port, "POST", path, body);
    }

    private RawHttp.Response chunked(String path, String body) throws IOException {
        String request = "POST " + path + " HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: text/plain\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n" + Integer.toHexString(body.length()) + "\r\n" + body + "\r\n0\r\n\r\n";
        return RawHttp.exchange(RawHttp.loopback(), port, request.getBytes(StandardCharsets.ISO_8859_1));
    }

    @Test
    void aDeclaredBodyAtTheLimitPassesAndOneByteMoreIs413WithAProblemNamingThePath() throws IOException {
        assertThat(post("/ahead/echo", SMALL).body()).isEqualTo("/ahead/echo read 64");
        long before = SupportTestApplication.REFUSED.get();
        RawHttp.Response r = post("/ahead/echo", BIG);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.header("Content-Type")).startsWith("application/problem+json");
        assertThat(r.header("Connection")).isEqualTo("close");
        assertThat(r.body()).contains("\"title\":\"Too large\"", "\"detail\":\"declared 65 > 64\"", "\"instance\":\"/ahead/echo\"", "\"status\":413");
        assertThat(SupportTestApplication.REFUSED.get()).isEqualTo(before + 1);
    }

    @Test
    void readAheadReadsAChunkedBodyUpToTheLimitAndRefusesALongerOne() throws IOException {
        assertThat(chunked("/ahead/echo", SMALL).body()).isEqualTo("/ahead/echo read 64");
        long before = SupportTestApplication.REFUSED.get();
        RawHttp.Response r = chunked("/ahead/echo", BIG);
        assertThat(r.status()).isEqualTo(413);
        assertThat(r.body()).contains("\"detail\":\"chunked > 64\"");
        assertThat(SupportTestApplication.REFUSED.get()).isEqualTo(before + 1);
    }

    @Test
    void failPastLimitLetsAChunkedBodyFailWhenItIsReadPastTheLimit() throws IOException {
        assertThat(chunked("/bounded/echo", SMALL).body()).isEqualTo("/bounded/echo read 64");
        long before = SupportTestApplication.REFUSED.get();
        RawHttp.Response r = chunked("/bounded/echo", BIG);
        assertThat(r.status()).isEqualTo(400);
        assertThat(SupportTestApplication.REFUSED.get()).as("not a 413").isEqualTo(before);
        RawHttp.Response declared = post("/bounded/echo", BIG);
        assertThat(declared.status()).isEqualTo(413);
        assertThat(declared.body()).contains("\"detail\":\"declared 65 > 64\"").doesNotContain("instance");
    }

    @Test
    void pathsOutsideThePrefixesAreNotCapped() throws IOException {
        assertThat(post("/open/echo", BIG).body()).isEqualTo("/open/echo read 65");
    }

    @Test
    void aPathNotInCanonicalFormIsRefusedByTheStrictFirewallAsAProblem() throws IOException {
        for (String path : new String[]{"/ahead/%2e%2e/echo", "/ahead//echo", "/ahead/echo;x=1", "/ahead/./echo", "/ahead/%25echo"}) {
            RawHttp.Response r = post(path, SMALL);
            assertThat(r.status()).as(path).isEqualTo(400);
            assertThat(r.body()).as(path).contains("\"title\":\"Request rejected\"");
        }
    }

    @Test
    void a401CarriesTheBearerChallengeOfTheRealm() throws IOException {
        RawHttp.Response r = post("/ahead/secret", SMALL);
        assertThat(r.status()).isEqualTo(401);
        assertThat(r.header("WWW-Authenticate")).isEqualTo("Bearer realm=\"" + SupportTestApplication.REALM + "\"");
        assertThat(RawHttp.send(RawHttp.loopback(), port, "POST", "/ahead/secret", SMALL, "Authorization: bearer  s3cret ").body())
                .isEqualTo("/ahead/secret read 64");
        assertThat(RawHttp.send(RawHttp.loopback(), port, "POST", "/ahead/secret", SMALL, "Authorization: Bearer s3cret2").status()).isEqualTo(401);
    }

    @Test
    void noUserStoreAndNoGeneratedPassword() {
        assertThat(context.getBeansOfType(UserDetailsService.class)).isEmpty();
    }
}
