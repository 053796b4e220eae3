package io.tsfleet.emulator.api.security;

import io.tsfleet.emulator.api.ControlApiProperties;
import io.tsfleet.emulator.api.ControlApiRefusals;
import io.tsfleet.emulator.api.ControlApiRefusals.Reason;
import io.tsfleet.service.security.StatelessApiSecurity;
import io.tsfleet.service.web.ProblemResponses;
import io.tsfleet.service.web.RequestBodyLimitFilter;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

import java.util.List;

/**
 * Who may do what over HTTP, deny by default (on the server port and on a separate management port alike):
 * <ul>
 *   <li>reads are open: {@code GET /api/v1/cpus}, {@code /api/v1/listeners}, {@code /api/v1/workload}, the OpenAPI
 *       document and Swagger UI, and the actuator's health, info, metrics and prometheus endpoints;</li>
 *   <li>the writes {@code POST /api/v1/exits}, {@code POST /api/v1/tasks} and {@code PUT /api/v1/workload} need the
 *       bearer token {@code tsfleet.emulator.api.token}, or, while none is configured, a loopback client;</li>
 *   <li>everything else is refused (403), and a path not in normal form ({@code ;}, encoded {@code /} or {@code .},
 *       {@code //}, {@code /../}) is refused by Spring Security's strict firewall (400) before any of these rules.</li>
 * </ul>
 * Every refusal is a problem+json answer and counted in {@code tsfleet_emulator_api_refused_total{reason}}. The firewall,
 * the stateless setup and the body limit are the ones the coordinator uses too ({@link StatelessApiSecurity},
 * {@link RequestBodyLimitFilter} of the {@code service-support} module).
 */
@Configuration(proxyBeanMethods = false)
@Import(StatelessApiSecurity.class)
class ControlApiSecurity {
    /** The realm of the {@code WWW-Authenticate} header of a 401. */
    static final String REALM = "tsfleet-emulator";

    /** The operations that change the emulated machine. */
    static final RequestMatcher WRITES = new OrRequestMatcher(
            PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/api/v1/exits"),
            PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/api/v1/tasks"),
            PathPatternRequestMatcher.pathPattern(HttpMethod.PUT, "/api/v1/workload"));

    @Bean
    ControlApiRefusals controlApiRefusals() {
        return new ControlApiRefusals();
    }

    @Bean
    ControlApiToken controlApiToken(ControlApiProperties properties) {
        return ControlApiToken.of(properties.token());
    }

    @Bean
    SecurityFilterChain controlApiFilterChain(HttpSecurity http, ControlApiToken token, ControlApiRefusals refusals, JsonMapper json,
                                              ControlApiProperties properties) throws Exception {
        ProblemResponses problems = ProblemResponses.withoutInstance(json, REALM);
        RequestBodyLimitFilter bodyLimit = new RequestBodyLimitFilter(properties.maxBodyBytes(), RequestBodyLimitFilter.ChunkedBodies.FAIL_PAST_LIMIT,
                new BodyLimitWording(), problems, () -> refusals.count(Reason.LIMIT), List.of());
        StatelessApiSecurity.statelessApi(http)
                .addFilterBefore(new BearerTokenFilter(token, problems, refusals), AnonymousAuthenticationFilter.class)
                .addFilterAfter(bodyLimit, AuthorizationFilter.class)
                .authorizeHttpRequests(a -> a
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.GET, "/api/v1/cpus", "/api/v1/listeners", "/api/v1/workload").permitAll()
                        .requestMatchers(WRITES).access(new WriteAccess(token))
                        .requestMatchers(HttpMethod.GET, "/actuator", "/actuator/health", "/actuator/health/**", "/actuator/info",
                                "/actuator/prometheus", "/actuator/metrics", "/actuator/metrics/**").permitAll()
                        .requestMatchers(HttpMethod.GET, "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**").permitAll()
                        .anyRequest().denyAll())
                .exceptionHandling(e -> e
                        .authenticationEntryPoint((request, response, ex) -> {
                            if (!WRITES.matches(request)) {
                                refusals.count(Reason.DENIED);
                                problems.send(request, response, HttpStatus.FORBIDDEN, "Forbidden", notServed(request.getMethod()));
                            } else if (token.configured()) {
                                refusals.count(Reason.TOKEN_MISSING);
                                problems.send(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                                        "writes to the control API need 'Authorization: Bearer <tsfleet.emulator.api.token>'");
                            } else {
                                refusals.count(Reason.NOT_LOOPBACK);
                                problems.send(request, response, HttpStatus.FORBIDDEN, "Forbidden", "without tsfleet.emulator.api.token the control API "
                                        + "takes writes from loopback clients only; set a token to write from " + request.getRemoteAddr());
                            }
                        })
                        .accessDeniedHandler((request, response, ex) -> {
                            refusals.count(Reason.DENIED);
                            problems.send(request, response, HttpStatus.FORBIDDEN, "Forbidden", notServed(request.getMethod()));
                        }));
        return http.build();
    }

    private static String notServed(String method) {
        return method + " on this path is not an operation of the emulator's HTTP API (reads: GET /api/v1/cpus, /api/v1/listeners, "
                + "/api/v1/workload; writes: POST /api/v1/exits, POST /api/v1/tasks, PUT /api/v1/workload)";
    }

    @Bean
    RequestRejectedHandler controlApiRejectedRequests(ControlApiRefusals refusals, JsonMapper json) {
        ProblemResponses problems = ProblemResponses.withoutInstance(json, REALM);
        return (request, response, e) -> {
            refusals.count(Reason.MALFORMED_PATH);
            problems.send(request, response, HttpStatus.BAD_REQUEST, "Bad request", "the request was refused: " + e.getMessage()
                    + " (the path must be in normal form: no ';', '//', '/./', '/../', encoded '/', '.' or '%')");
        };
    }

    /**
     * A body may hold at most {@code tsfleet.emulator.api.max-body-bytes}: a declared larger one is answered 413 before
     * it is read; one without a length (chunked) stops being readable there, which the controllers answer with 400. The
     * largest valid body (a workload with 1000 bursts) is a few tens of kilobytes.
     */
    private static final class BodyLimitWording implements RequestBodyLimitFilter.Wording {
        @Override
        public String title() {
            return "Content too large";
        }

        @Override
        public String declaredTooLarge(long declared, long limit) {
            return "the request body has " + declared + " bytes, more than the " + limit + " the control API reads (tsfleet.emulator.api.max-body-bytes)";
        }

        @Override
        public String chunkedTooLarge(long limit) {
            return "the request body has more than the " + limit + " bytes the control API reads (tsfleet.emulator.api.max-body-bytes)";
        }

        @Override
        public String readPastLimit(long limit) {
            return "request body longer than " + limit + " bytes (tsfleet.emulator.api.max-body-bytes)";
        }
    }
}
