package io.tsfleet.coordinator.config;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.tsfleet.coordinator.kubernetes.KubernetesTokenReviewer;
import io.tsfleet.coordinator.metrics.SecurityRefusalMeters;
import io.tsfleet.coordinator.security.BearerAuthenticationFilter;
import io.tsfleet.coordinator.security.CachingTokenReviewer;
import io.tsfleet.coordinator.security.CallerAuthenticator;
import io.tsfleet.coordinator.security.HeartbeatIdentityRule;
import io.tsfleet.coordinator.security.NodeAgentRule;
import io.tsfleet.coordinator.security.ReplicaTokenFile;
import io.tsfleet.coordinator.security.ReplicaTokenReviewer;
import io.tsfleet.coordinator.security.SecurityProblems;
import io.tsfleet.coordinator.security.SecurityRefusals;
import io.tsfleet.coordinator.security.ThrottledTokenReviewer;
import io.tsfleet.coordinator.security.TokenAuthenticator;
import io.tsfleet.service.security.StatelessApiSecurity;
import io.tsfleet.service.web.ProblemResponses;
import io.tsfleet.service.web.RequestBodyLimitFilter;
import jakarta.servlet.DispatcherType;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configuration.EnableWebSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.authentication.AnonymousAuthenticationFilter;
import org.springframework.security.web.firewall.StrictHttpFirewall;
import tools.jackson.databind.json.JsonMapper;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;

/**
 * The coordinator's HTTP security: Spring Security's filter chain behind its {@link StrictHttpFirewall} (a path
 * that is not in canonical form - encoded slashes, dots or backslashes, matrix parameters, dot segments, double
 * slashes - is refused with 400 before anything matches it), bearer-token authentication, and authorization rules
 * that match the same decoded, normalised path Spring MVC routes by. Deny by default: only the allow-listed public
 * paths (the console's files, health probes, metrics, API docs) answer without a token. The firewall, the stateless
 * setup and the request body limit are the ones the emulator uses too ({@link StatelessApiSecurity},
 * {@link RequestBodyLimitFilter} of the {@code service-support} module).
 */
@Configuration(proxyBeanMethods = false)
@EnableWebSecurity
@Import(StatelessApiSecurity.class)
public class SecurityConfiguration {
    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** Read without a token (GET and HEAD only). */
    static final String[] PUBLIC_PATHS = {
            "/", "/index.html", "/console/**",
            "/actuator/health", "/actuator/health/**", "/actuator/info", "/actuator/prometheus", "/actuator/metrics", "/actuator/metrics/**",
            "/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**"};

    @Bean
    TokenAuthenticator tokenAuthenticator(CoordinatorProperties p) {
        TokenAuthenticator tokens = new TokenAuthenticator(p.security().adminTokens(), p.security().readTokens(), p.security().replicaTokens(),
                p.security().nodeTokens());
        if (tokens.hasSharedReplicaTokens()) {
            log.warn("tsfleet.coordinator.security.replica-tokens is set: a holder of a shared replica token can heartbeat as ANY replica id; "
                    + "prefer per-replica tokens (replica-tokens-file) or, on Kubernetes, token-review");
        }
        if (tokens.hasUnboundNodeTokens()) {
            log.warn("tsfleet.coordinator.security.node-tokens has a token without '<node>=': its holder can announce ANY node name with a broker "
                    + "of its choosing (replicas dial it) and withdraw real nodes; prefer tokens bound to one node each (<node>=<token>) or, on "
                    + "Kubernetes, token-review.node-service-account");
        }
        if (tokens.boundNodeTokens() > 0) log.info("{} node tokens bound to one node each", tokens.boundNodeTokens());
        return tokens;
    }

    @Bean
    CallerAuthenticator callerAuthenticator(CoordinatorProperties p, TokenAuthenticator tokens, Clock clock, ObjectProvider<KubernetesClient> kubernetes) {
        CoordinatorProperties.Security s = p.security();
        Optional<ReplicaTokenFile> file = Optional.empty();
        if (!s.replicaTokensFile().isBlank()) {
            ReplicaTokenFile f = new ReplicaTokenFile(Path.of(s.replicaTokensFile()));
            log.info("per-replica tokens of {} replicas from {}", f.size(), f.path());
            file = Optional.of(f);
        }
        Optional<ReplicaTokenReviewer> reviewer = Optional.empty();
        CoordinatorProperties.TokenReview tr = s.tokenReview();
        if (tr.enabled()) {
            KubernetesClient client = kubernetes.getIfAvailable();
            if (client == null) throw new IllegalStateException("tsfleet.coordinator.security.token-review.enabled=true needs tsfleet.coordinator.kubernetes.enabled=true");
            String namespace = !tr.namespace().isBlank() ? tr.namespace() : CoordinatorConfiguration.namespace(p, client);
            KubernetesTokenReviewer k = new KubernetesTokenReviewer(client, tr.audience(), namespace, tr.serviceAccount(), tr.nodeServiceAccount());
            log.info("replica credentials: projected service account tokens of {} for audience '{}', checked with TokenReviews", k.expectedUser(), tr.audience());
            k.expectedNodeUser().ifPresent(u -> log.info("node agent credentials: projected service account tokens of {}, bound to their node", u));
            reviewer = Optional.of(new CachingTokenReviewer(new ThrottledTokenReviewer(k, clock, tr.reviewRate(), tr.reviewBurst()),
                    clock, tr.cacheTtl(), tr.cacheSize()));
        }
        if (!tokens.hasAnyToken() && file.isEmpty() && reviewer.isEmpty()) {
            log.warn("no tokens are configured (tsfleet.coordinator.security.*): the admin API, the heartbeat and the node endpoints refuse every request");
        }
        return new CallerAuthenticator(tokens, file, reviewer);
    }

    @Bean
    SecurityRefusals securityRefusals() {
        return new SecurityRefusals();
    }

    @Bean
    SecurityRefusalMeters securityRefusalMeters(SecurityRefusals refusals) {
        return new SecurityRefusalMeters(refusals);
    }

    @Bean
    ProblemResponses securityProblemResponses(JsonMapper json) {
        return ProblemResponses.withInstance(json, SecurityProblems.REALM);
    }

    @Bean
    SecurityProblems securityProblems(ProblemResponses problems, SecurityRefusals refusals) {
        return new SecurityProblems(problems, refusals);
    }

    /**
     * Caps the body of every API request ({@code /api/**}, {@code /internal/**}) at {@code tsfleet.coordinator.max-request-body}:
     * a larger one is answered 413 problem+json before anything reads or parses it (a declared Content-Length is
     * judged at once; a chunked body is read up to the limit and no further). A servlet filter behind the security
     * chain: a caller without a token is refused before its body is looked at.
     */
    @Bean
    RequestBodyLimitFilter requestBodyLimitFilter(CoordinatorProperties properties, ProblemResponses problems, SecurityRefusals refusals) {
        return new RequestBodyLimitFilter(properties.maxRequestBody().toBytes(), RequestBodyLimitFilter.ChunkedBodies.READ_AHEAD_AND_REFUSE,
                new BodyLimitWording(), problems, refusals::countTooLarge, List.of("/api/", "/internal/"));
    }

    @Bean
    SecurityFilterChain coordinatorSecurity(HttpSecurity http, CallerAuthenticator authenticator, SecurityProblems problems) throws Exception {
        StatelessApiSecurity.statelessApi(http)
                .addFilterBefore(new BearerAuthenticationFilter(authenticator), AnonymousAuthenticationFilter.class)
                .exceptionHandling(e -> e.authenticationEntryPoint(problems).accessDeniedHandler(problems))
                .authorizeHttpRequests(a -> a
                        // the container's error dispatch of a request already let through (or refused) above
                        .dispatcherTypeMatchers(DispatcherType.ERROR).permitAll()
                        .requestMatchers(HttpMethod.GET, PUBLIC_PATHS).permitAll()
                        .requestMatchers(HttpMethod.HEAD, PUBLIC_PATHS).permitAll()
                        .requestMatchers(HttpMethod.POST, "/internal/v1/replicas/{id}/heartbeat").access(new HeartbeatIdentityRule())
                        // node agents, and only they: never a replica or an admin token
                        .requestMatchers(HttpMethod.PUT, "/internal/v1/nodes/{name}").access(new NodeAgentRule())
                        .requestMatchers(HttpMethod.DELETE, "/internal/v1/nodes/{name}").access(new NodeAgentRule())
                        .requestMatchers("/internal/**").hasAnyRole("REPLICA", "ADMIN")
                        .requestMatchers(HttpMethod.GET, "/api/**").hasAnyRole("READ", "ADMIN")
                        .requestMatchers(HttpMethod.HEAD, "/api/**").hasAnyRole("READ", "ADMIN")
                        .requestMatchers(HttpMethod.OPTIONS, "/api/**").hasAnyRole("READ", "ADMIN")
                        .requestMatchers("/api/**").hasRole("ADMIN")
                        .anyRequest().denyAll());
        return http.build();
    }

    /** What a 413 of the coordinator says. */
    private static final class BodyLimitWording implements RequestBodyLimitFilter.Wording {
        private static final String SETTING = " (tsfleet.coordinator.max-request-body); nothing was read or changed";

        @Override
        public String title() {
            return "Request body too large";
        }

        @Override
        public String declaredTooLarge(long declared, long limit) {
            return "the request body of " + declared + " bytes is larger than the limit of " + limit + " bytes" + SETTING;
        }

        @Override
        public String chunkedTooLarge(long limit) {
            return "the request body is larger than the limit of " + limit + " bytes" + SETTING;
        }

        @Override
        public String readPastLimit(long limit) {
            return chunkedTooLarge(limit);
        }
    }
}
