package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.SecurityRefusals.Reason;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import java.util.function.Supplier;

/**
 * Who may announce or withdraw node {@code {name}} ({@code PUT}/{@code DELETE /internal/v1/nodes/{name}}): a node
 * agent's credential only - a node token, or a node agent's Kubernetes service-account token bound to exactly that
 * node. A replica's or an admin token is refused: a node announcement tells replicas where to connect, so it is kept
 * apart from every other credential. The name is the path variable of the decoded path, the same one the controller gets.
 */
public final class NodeAgentRule implements AuthorizationManager<RequestAuthorizationContext> {

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication a = authentication.get();
        if (!(a instanceof CallerAuthentication ca)) return new AuthorizationDecision(false);
        Caller caller = ca.caller();
        String name = context.getVariables().get("name");
        if (name != null && caller.mayAnnounceAs(name)) return new AuthorizationDecision(true);
        if (caller.role() != TokenAuthenticator.Role.NODE) {
            return new IdentityRefusal(Reason.WRONG_NODE, caller.describe() + " cannot announce or withdraw nodes; that needs a node token "
                    + "(tsfleet.coordinator.security.node-tokens) or a node agent's service account token");
        }
        return new IdentityRefusal(Reason.WRONG_NODE, caller.describe() + " cannot announce or withdraw node '" + name + "'");
    }
}
