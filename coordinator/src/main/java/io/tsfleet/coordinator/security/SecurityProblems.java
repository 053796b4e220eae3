package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.SecurityRefusals.Reason;
import io.tsfleet.service.web.ProblemResponses;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authorization.AuthorizationDeniedException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.RequestRejectedHandler;

import java.io.IOException;

/**
 * The security refusals as RFC 9457 problem+json, each counted in {@code tsfleet_coordinator_auth_refusals_total}
 * by reason ({@link SecurityRefusals}): 400 for a request the firewall rejects (an unusual spelling of a path: encoded
 * slashes or dots, matrix parameters, dot segments, double slashes, backslashes), 401 with
 * {@code WWW-Authenticate: Bearer} for a missing or unknown token, 403 for a token without the needed role or for
 * another replica's heartbeat, 503 when a replica's service-account token cannot be checked now.
 */
public final class SecurityProblems implements AuthenticationEntryPoint, AccessDeniedHandler, RequestRejectedHandler {
    /** The realm of the {@code WWW-Authenticate} header of a 401. */
    public static final String REALM = "tsfleet-coordinator";

    private final ProblemResponses problems;
    private final SecurityRefusals refusals;

    public SecurityProblems(ProblemResponses problems, SecurityRefusals refusals) {
        this.problems = problems;
        this.refusals = refusals;
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, org.springframework.security.web.firewall.RequestRejectedException e) throws IOException {
        write(request, response, Reason.REJECTED_REQUEST, HttpStatus.BAD_REQUEST, "Request rejected",
                "the request's path or headers are not in a canonical form (" + e.getMessage() + ")");
    }

    @Override
    public void commence(HttpServletRequest request, HttpServletResponse response, org.springframework.security.core.AuthenticationException e) throws IOException {
        Object unavailable = request.getAttribute(BearerAuthenticationFilter.UNAVAILABLE);
        if (unavailable != null) {
            response.setHeader(HttpHeaders.RETRY_AFTER, "5");
            write(request, response, Reason.REVIEW_UNAVAILABLE, HttpStatus.SERVICE_UNAVAILABLE, "Credential check unavailable", unavailable.toString());
            return;
        }
        Object refusal = request.getAttribute(BearerAuthenticationFilter.REFUSAL);
        if (refusal != null) {
            write(request, response, Reason.UNKNOWN_TOKEN, HttpStatus.UNAUTHORIZED, "Unauthorized", refusal.toString());
        } else {
            write(request, response, Reason.MISSING_TOKEN, HttpStatus.UNAUTHORIZED, "Unauthorized", "missing bearer token: send 'Authorization: Bearer <token>'");
        }
    }

    @Override
    public void handle(HttpServletRequest request, HttpServletResponse response, org.springframework.security.access.AccessDeniedException e) throws IOException {
        if (e instanceof AuthorizationDeniedException d && d.getAuthorizationResult() instanceof IdentityRefusal r) {
            write(request, response, r.reason(), HttpStatus.FORBIDDEN, "Forbidden", r.message());
            return;
        }
        Authentication a = SecurityContextHolder.getContextHolderStrategy().getContext().getAuthentication();
        String who = a instanceof CallerAuthentication ca ? ca.caller().describe() : "this token";
        write(request, response, Reason.FORBIDDEN, HttpStatus.FORBIDDEN, "Forbidden", who + " cannot do this; " + needed(request));
    }

    private static String needed(HttpServletRequest request) {
        String path = request.getServletPath() + (request.getPathInfo() == null ? "" : request.getPathInfo());
        if (path.startsWith("/internal/")) return "it needs a replica or admin token";
        if (!path.startsWith("/api/")) return "nothing is served at this path";
        String m = request.getMethod();
        return "GET".equals(m) || "HEAD".equals(m) || "OPTIONS".equals(m) ? "it needs a read or admin token" : "it needs an admin token";
    }

    private void write(HttpServletRequest request, HttpServletResponse response, Reason reason, HttpStatus status, String title, String detail) throws IOException {
        refusals.count(reason);
        problems.send(request, response, status, title, detail);
    }
}
