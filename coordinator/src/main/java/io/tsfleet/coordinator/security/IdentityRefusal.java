package io.tsfleet.coordinator.security;

import io.tsfleet.coordinator.security.SecurityRefusals.Reason;
import org.springframework.security.authorization.AuthorizationDecision;

/**
 * A refusal of a credential that is valid but speaks for someone else (another replica, another node, or the wrong
 * kind of caller): the 403 problem detail gives the caller {@link #message}, and the refusal is counted under
 * {@link #reason} ({@code tsfleet_coordinator_auth_refusals_total}).
 */
public final class IdentityRefusal extends AuthorizationDecision {
    private final Reason reason;
    private final String message;

    IdentityRefusal(Reason reason, String message) {
        super(false);
        this.reason = reason;
        this.message = message;
    }

    public Reason reason() {
        return reason;
    }

    public String message() {
        return message;
    }
}
