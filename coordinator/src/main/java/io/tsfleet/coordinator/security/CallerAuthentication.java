package io.tsfleet.coordinator.security;

import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;

import java.util.List;
import java.util.Locale;

/** An authenticated {@link Caller}, with the authority {@code ROLE_<role>}. */
public final class CallerAuthentication extends AbstractAuthenticationToken {
    private final Caller caller;

    public CallerAuthentication(Caller caller) {
        super(List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
        this.caller = caller;
        setAuthenticated(true);
    }

    public Caller caller() {
        return caller;
    }

    @Override
    public Object getCredentials() {
        return null;
    }

    @Override
    public Object getPrincipal() {
        return caller;
    }

    @Override
    public String getName() {
        return caller.replicaId().or(caller::nodeName).orElse(caller.role().name().toLowerCase(Locale.ROOT));
    }
}
