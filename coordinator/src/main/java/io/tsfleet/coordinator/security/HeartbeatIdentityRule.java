package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.SecurityRefusals.Reason;
import org.springframework.security.authorization.AuthorizationDecision;
import org.springframework.security.authorization.AuthorizationManager;
import org.springframework.security.authorization.AuthorizationResult;
import org.springframework.security.core.Authentication;
import org.springframework.security.web.access.intercept.RequestAuthorizationContext;

import java.util.function.Supplier;

/**
 * Who may send the heartbeat of replica {@code {id}}: an admin token, a shared replica token, or the replica
 * credential bound to exactly that id (a per-replica token, a pod's service-account token). The id is the path
 * variable of the decoded path, the same one the controller gets.
 */
public final class HeartbeatIdentityRule implements AuthorizationManager<RequestAuthorizationContext> {

    @Override
    public AuthorizationResult authorize(Supplier<? extends Authentication> authentication, RequestAuthorizationContext context) {
        Authentication a = authentication.get();
        if (!(a instanceof CallerAuthentication ca)) return new AuthorizationDecision(false);
        Caller caller = ca.caller();
        String id = context.getVariables().get("id");
        if (id != null && caller.mayHeartbeatAs(id)) return new AuthorizationDecision(true);
        if (caller.role() == TokenAuthenticator.Role.READ) return new IdentityRefusal(Reason.WRONG_REPLICA, "a read token cannot send heartbeats; it needs a replica or admin token");
        return new IdentityRefusal(Reason.WRONG_REPLICA, caller.describe() + " cannot send the heartbeat of replica '" + id + "'");
    }
}
