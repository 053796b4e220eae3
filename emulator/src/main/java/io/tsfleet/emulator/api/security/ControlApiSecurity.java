package io.tsfleet.emulator.api.security;

import io.tsfleet.emulator.api.ControlApiProperties;
import io.tsfleet.emulator.api.ControlApiRefusals;
import io.tsfleet.emulator.api.ControlApiRefusals.Reason;
import jakarta.servlet.DispatcherType;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.RequestRejectedHandler;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import tools.jackson.databind.json.JsonMapper;

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
 * Every refusal is a problem+json answer and counted in {@code tsfleet_emulator_api_refused_total{reason}}.
 */
@Configuration(proxyBeanMethods = false)
class ControlApiSecurity {
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
        ProblemResponses problems = new ProblemResponses(json);
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .addFilterBefore(new BearerTokenFilter(token, problems, refusals), AnonymousAuthenticationFilter.class)
                .addFilterAfter(new BodySizeLimitFilter(properties.maxBodyBytes(), problems, refusals), AuthorizationFilter.class)
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
                                problems.send(response, HttpStatus.FORBIDDEN, "Forbidden", notServed(request.getMethod()));
                            } else if (token.configured()) {
                                refusals.count(Reason.TOKEN_MISSING);
                                problems.send(response, HttpStatus.UNAUTHORIZED, "Unauthorized",
                                        "writes to the control API need 'Authorization: Bearer <tsfleet.emulator.api.token>'");
                            } else {
                                refusals.count(Reason.NOT_LOOPBACK);
                                problems.send(response, HttpStatus.FORBIDDEN, "Forbidden", "without tsfleet.emulator.api.token the control API "
                                        + "takes writes from loopback clients only; set a token to write from " + request.getRemoteAddr());
                            }
                        })
                        .accessDeniedHandler((request, response, ex) -> {
                            refusals.count(Reason.DENIED);
                            problems.send(response, HttpStatus.FORBIDDEN, "Forbidden", notServed(request.getMethod()));
                        }));
        return http.build();
    }

    private static String notServed(String method) {
        return method + " on this path is not an operation of the emulator's HTTP API (reads: GET /api/v1/cpus, /api/v1/listeners, "
                + "/api/v1/workload; writes: POST /api/v1/exits, POST /api/v1/tasks, PUT /api/v1/workload)";
    }

    /** Spring Security's strict firewall, named here so that nobody loosens it by accident. */
    @Bean
    HttpFirewall controlApiFirewall() {
        return new StrictHttpFirewall();
    }

    @Bean
    RequestRejectedHandler controlApiRejectedRequests(ControlApiRefusals refusals, JsonMapper json) {
        ProblemResponses problems = new ProblemResponses(json);
        return (request, response, e) -> {
            refusals.count(Reason.MALFORMED_PATH);
            problems.send(response, HttpStatus.BAD_REQUEST, "Bad request", "the request was refused: " + e.getMessage()
                    + " (the path must be in normal form: no ';', '//', '/./', '/../', encoded '/', '.' or '%')");
        };
    }
}
