package io.tsfleet.service.security;

import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;

/**
 * What a request's {@code Authorization} header presents: nothing, another scheme, or a bearer token (the scheme
 * matched case-insensitively, the token trimmed). What each case means is the service's decision: the coordinator
 * treats another scheme like no header, the emulator refuses it.
 */
public sealed interface BearerHeader {
    String PREFIX = "Bearer ";

    /** No {@code Authorization} header. */
    record Absent() implements BearerHeader {
    }

    /** An {@code Authorization} header of another scheme than Bearer. */
    record OtherScheme() implements BearerHeader {
    }

    /** {@code Authorization: Bearer <token>}; the token may be empty. */
    record Token(String value) implements BearerHeader {
        @Override
        public String toString() {
            return "Token[redacted]";
        }
    }

    static BearerHeader of(HttpServletRequest request) {
        return of(request.getHeader(HttpHeaders.AUTHORIZATION));
    }

    static BearerHeader of(String header) {
        if (header == null) return new Absent();
        if (!header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) return new OtherScheme();
        return new Token(header.substring(PREFIX.length()).trim());
    }
}
