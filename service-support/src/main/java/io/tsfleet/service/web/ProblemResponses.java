package io.tsfleet.service.web;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.net.URI;

/**
 * Writes a refusal that happens before Spring MVC (in a servlet filter or the security filter chain) as an RFC 9457
 * problem+json answer, like the controllers' errors. A 401 carries {@code WWW-Authenticate: Bearer realm="<realm>"}.
 * Whether the problem names the request's path as its {@code instance} is the service's choice (the coordinator's do,
 * the emulator's do not); a raw path that is not a valid URI goes without one.
 */
public final class ProblemResponses {
    private final JsonMapper json;
    private final String realm;
    private final boolean withInstance;

    private ProblemResponses(JsonMapper json, String realm, boolean withInstance) {
        this.json = json;
        this.realm = realm;
        this.withInstance = withInstance;
    }

    /** Problems that name the request's path as their {@code instance}. */
    public static ProblemResponses withInstance(JsonMapper json, String realm) {
        return new ProblemResponses(json, realm, true);
    }

    /** Problems without an {@code instance}. */
    public static ProblemResponses withoutInstance(JsonMapper json, String realm) {
        return new ProblemResponses(json, realm, false);
    }

    /** Answers {@code status} with a problem of this title and detail, unless the response is committed already. */
    public void send(HttpServletRequest request, HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        if (response.isCommitted()) return;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        if (withInstance) {
            try {
                problem.setInstance(URI.create(request.getRequestURI()));
            } catch (IllegalArgumentException notAUri) {
                // a rejected request's raw path need not be a valid URI; the problem goes without an instance
            }
        }
        response.resetBuffer();
        response.setStatus(status.value());
        if (status == HttpStatus.UNAUTHORIZED) response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"" + realm + "\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        byte[] body = json.writeValueAsBytes(problem);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
