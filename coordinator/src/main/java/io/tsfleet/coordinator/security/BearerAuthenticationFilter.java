package io.tsfleet.coordinator.security;

import io.tsfleet.service.security.BearerHeader;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Part of the Spring Security filter chain (behind its firewall): reads {@code Authorization: Bearer <token>} (another scheme counts as no header) and,
 * when the token proves a {@link Caller}, makes it the request's authentication. It decides nothing: the chain's
 * authorization rules do, on the decoded and normalised path Spring MVC routes by. Why a token proved nothing is
 * kept in a request attribute for the 401 problem detail; when the token cannot be checked now (TokenReview
 * unavailable) that is kept too, and the refusal becomes a 503.
 */
public final class BearerAuthenticationFilter extends OncePerRequestFilter {
    /** Request attribute: why the presented token proves nothing. */
    public static final String REFUSAL = BearerAuthenticationFilter.class.getName() + ".refusal";
    /** Request attribute: why the presented token could not be checked. */
    public static final String UNAVAILABLE = BearerAuthenticationFilter.class.getName() + ".unavailable";
    private static final Logger log = LoggerFactory.getLogger(BearerAuthenticationFilter.class);

    private final CallerAuthenticator authenticator;
    private final SecurityContextHolderStrategy contexts = SecurityContextHolder.getContextHolderStrategy();

    public BearerAuthenticationFilter(CallerAuthenticator authenticator) {
        this.authenticator = authenticator;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        if (BearerHeader.of(request) instanceof BearerHeader.Token token) {
            try {
                switch (authenticator.authenticate(token.value())) {
                    case CallerAuthenticator.Outcome.Known k -> {
                        SecurityContext context = contexts.createEmptyContext();
                        context.setAuthentication(new CallerAuthentication(k.caller()));
                        contexts.setContext(context);
                    }
                    case CallerAuthenticator.Outcome.Unknown u -> request.setAttribute(REFUSAL, u.reason());
                }
            } catch (ReplicaTokenReviewer.ReviewUnavailableException e) {
                log.warn("{}", e.getMessage());
                request.setAttribute(UNAVAILABLE, e.getMessage());
            }
        }
        chain.doFilter(request, response);
    }
}
