package io.tsfleet.emulator.api.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import java.net.InetAddress;
import java.util.function.Supplier;

/**
 * Who may write: with a configured token, whoever presented it ({@link BearerTokenFilter}); without one, loopback
 * clients only. The client is the TCP peer: the emulator honours no forwarding headers
 * ({@code server.forward-headers-strategy: none} in its application.yaml), so {@code X-Forwarded-For} cannot make a
 * remote client look local.
 */
final class WriteAccess implements AuthorizationManager<RequestAuthorizationContext> {
    private final ControlApiToken token;

    WriteAccess(ControlApiToken token) {
        this.token = token;
    }

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        if (token.configured()) return new AuthorizationDecision(holdsToken(authentication.get()));
        return new AuthorizationDecision(fromLoopback(context.getRequest()));
    }

    private static boolean holdsToken(Authentication a) {
        return a != null && a.isAuthenticated() && a.getAuthorities().stream().anyMatch(g -> BearerTokenFilter.CONTROL_WRITE.equals(g.getAuthority()));
    }

    static boolean fromLoopback(HttpServletRequest request) {
        try {
            return InetAddress.ofLiteral(request.getRemoteAddr()).isLoopbackAddress();
        } catch (IllegalArgumentException | NullPointerException e) {
            return false;
        }
    }
}
