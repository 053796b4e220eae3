package io.tsfleet.emulator.api.security;

import io.tsfleet.emulator.api.ControlApiRefusals;
import io.tsfleet.emulator.api.ControlApiRefusals.Reason;
import io.tsfleet.service.security.BearerHeader;
import io.tsfleet.service.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.AuthorityUtils;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * Authenticates {@code Authorization: Bearer <token>} against {@code tsfleet.emulator.api.token}: the right token
 * grants {@link #CONTROL_WRITE}; a header that is there but wrong (another scheme, another token, or any token while
 * none is configured) is answered 401 at once, whatever the path. Without the header the request goes on anonymous.
 */
final class BearerTokenFilter extends OncePerRequestFilter {
    /** The authority of the control API's writes. */
    static final String CONTROL_WRITE = "CONTROL_WRITE";

    private final ControlApiToken token;
    private final ProblemResponses problems;
    private final ControlApiRefusals refusals;

    BearerTokenFilter(ControlApiToken token, ProblemResponses problems, ControlApiRefusals refusals) {
        this.token = token;
        this.problems = problems;
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        String refusal = switch (BearerHeader.of(request)) {
            case BearerHeader.Absent a -> null;
            case BearerHeader.OtherScheme o -> "only bearer tokens are accepted: 'Authorization: Bearer <tsfleet.emulator.api.token>'";
            case BearerHeader.Token t when !token.configured() ->
                    "this emulator has no control API token (tsfleet.emulator.api.token is unset): send no Authorization header";
            case BearerHeader.Token t when !token.matches(t.value()) -> "unknown bearer token";
            case BearerHeader.Token t -> {
                SecurityContext context = SecurityContextHolder.createEmptyContext();
                context.setAuthentication(new TokenHolder());
                SecurityContextHolder.setContext(context);
                yield null;
            }
        };
        if (refusal != null) {
            refusals.count(Reason.TOKEN_INVALID);
            problems.send(request, response, HttpStatus.UNAUTHORIZED, "Unauthorized", refusal);
            return;
        }
        chain.doFilter(request, response);
    }

    /** Whoever presented the control API token. */
    private static final class TokenHolder extends AbstractAuthenticationToken {
        TokenHolder() {
            super(AuthorityUtils.createAuthorityList(CONTROL_WRITE));
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return "";
        }

        @Override
        public Object getPrincipal() {
            return "control-api-token";
        }
    }
}
