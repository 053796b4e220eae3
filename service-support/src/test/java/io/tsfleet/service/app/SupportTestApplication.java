package io.tsfleet.service.app;

import io.tsfleet.service.security.BearerHeader;
import io.tsfleet.service.security.SecretToken;
import io.tsfleet.service.security.StatelessApiSecurity;
import io.tsfleet.service.web.ProblemResponses;
import io.tsfleet.service.web.RequestBodyLimitFilter;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service made of the shared pieces only: {@code /ahead/**} caps bodies at 64 bytes reading chunked ones ahead
 * (the coordinator's way), {@code /bounded/**} caps them failing reads past the limit (the emulator's way), the
 * firewall's refusals and a bearer token check ({@code /ahead/secret} needs {@code Bearer s3cret}) answer problem+json.
 */
@SpringBootApplication
@Import(StatelessApiSecurity.class)
public class SupportTestApplication {
    public static final long LIMIT = 64;
    public static final String REALM = "tsfleet-test";

    /** 413s so far. */
    public static final AtomicLong REFUSED = new AtomicLong();

    @Bean
    ProblemResponses problems(JsonMapper json) {
        return ProblemResponses.withInstance(json, REALM);
    }

    @Bean
    RequestBodyLimitFilter readAhead(ProblemResponses problems) {
        return new RequestBodyLimitFilter(LIMIT, RequestBodyLimitFilter.ChunkedBodies.READ_AHEAD_AND_REFUSE, new TestWording(), problems,
                REFUSED::incrementAndGet, List.of("/ahead/"));
    }

    @Bean
    RequestBodyLimitFilter bounded(JsonMapper json) {
        return new RequestBodyLimitFilter(LIMIT, RequestBodyLimitFilter.ChunkedBodies.FAIL_PAST_LIMIT, new TestWording(),
                ProblemResponses.withoutInstance(json, REALM), REFUSED::incrementAndGet, List.of("/bounded/"));
    }

    @Bean
    RequestRejectedHandler rejected(ProblemResponses problems) {
        return (request, response, e) -> problems.send(request, response, HttpStatus.BAD_REQUEST, "Request rejected", "not canonical: " + e.getMessage());
    }

    @Bean
    SecurityFilterChain chain(HttpSecurity http, ProblemResponses problems) throws Exception {
        SecretToken secret = SecretToken.of("s3cret");
        StatelessApiSecurity.statelessApi(http)
                .authorizeHttpRequests(a -> a
                        .requestMatchers("/ahead/secret").access((auth, ctx) -> new org.springframework.security.authorization.AuthorizationDecision(
                                BearerHeader.of(ctx.getRequest()) instanceof BearerHeader.Token t && secret.matches(t.value())))
                        .anyRequest().permitAll())
                .exceptionHandling(e -> e.authenticationEntryPoint((request, response, ex) ->
                        problems.send(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", "needs the token")));
        return http.build();
    }

    @RestController
    static class Echo {
        @PostMapping({"/ahead/echo", "/bounded/echo", "/ahead/secret", "/open/echo"})
        String echo(@RequestBody String body, HttpServletRequest request) {
            return request.getRequestURI() + " read " + body.length();
        }
    }

    static final class TestWording implements RequestBodyLimitFilter.Wording {
        @Override
        public String title() {
            return "Too large";
        }

        @Override
        public String declaredTooLarge(long declared, long limit) {
            return "declared " + declared + " > " + limit;
        }

        @Override
        public String chunkedTooLarge(long limit) {
            return "chunked > " + limit;
        }

        @Override
        public String readPastLimit(long limit) {
            return "read past " + limit;
        }
    }
}
