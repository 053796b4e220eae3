package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.TokenAuthenticator.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;
import java.util.Optional;

/**
 * Bearer-token authorization of the admin API ({@code /api/**}: reads need READ, writes ADMIN) and of the
 * replica endpoint ({@code /internal/**}: REPLICA or ADMIN). A missing, malformed or unknown token is 401 with
 * {@code WWW-Authenticate: Bearer}; a known token without the needed role is 403. Both as problem+json.
 * Actuator, OpenAPI and Swagger UI paths are not protected here.
 */
@Component
public class BearerTokenFilter extends OncePerRequestFilter {
    private static final String PREFIX = "Bearer ";

    private final TokenAuthenticator authenticator;
    private final JsonMapper json;

    public BearerTokenFilter(TokenAuthenticator authenticator, JsonMapper json) {
        this.authenticator = authenticator;
        this.json = json;
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.startsWith("/api/") || path.startsWith("/internal/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        Role needed = neededRole(request);
        String header = request.getHeader(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            reject(request, response, HttpStatus.UNAUTHORIZED, "missing bearer token: send 'Authorization: Bearer <token>'");
            return;
        }
        Optional<Role> role = authenticator.roleOf(header.substring(PREFIX.length()).trim());
        if (role.isEmpty()) {
            reject(request, response, HttpStatus.UNAUTHORIZED, "unknown bearer token");
            return;
        }
        if (!TokenAuthenticator.allows(role.get(), needed)) {
            reject(request, response, HttpStatus.FORBIDDEN, "a " + role.get().name().toLowerCase() + " token cannot do this; it needs "
                    + (needed == Role.ADMIN ? "an admin" : "a " + needed.name().toLowerCase() + " or admin") + " token");
            return;
        }
        chain.doFilter(request, response);
    }

    static Role neededRole(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.startsWith("/internal/")) return Role.REPLICA;
        String method = request.getMethod();
        return "GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) ? Role.READ : Role.ADMIN;
    }

    private void reject(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String detail) throws IOException {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setInstance(URI.create(request.getRequestURI()));
        response.setStatus(status.value());
        if (status == HttpStatus.UNAUTHORIZED) response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tsfleet-coordinator\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        response.getOutputStream().write(json.writeValueAsBytes(problem));
    }
}
