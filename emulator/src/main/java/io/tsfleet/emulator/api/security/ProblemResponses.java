package io.tsfleet.emulator.api.security;

import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;

/** Writes the security layer's refusals as RFC 9457 problem details, like the controllers' errors. */
final class ProblemResponses {
    private final JsonMapper json;

    ProblemResponses(JsonMapper json) {
        this.json = json;
    }

    void send(HttpServletResponse response, HttpStatus status, String title, String detail) throws IOException {
        if (response.isCommitted()) return;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setTitle(title);
        response.resetBuffer();
        response.setStatus(status.value());
        if (status == HttpStatus.UNAUTHORIZED) response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"tsfleet-emulator\"");
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        byte[] body = json.writeValueAsBytes(problem);
        response.setContentLength(body.length);
        response.getOutputStream().write(body);
        response.flushBuffer();
    }
}
