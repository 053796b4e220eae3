package io.tsfleet.emulator.api;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the control API refuses, carrying its own answer: an RFC 9457 problem detail with status, title and
 * detail. Thrown where the API refuses a request (it changed nothing); any other exception is a fault of the emulator
 * and answered 500 by Spring Boot's error handling, whatever its type.
 */
public final class ControlApiException extends ErrorResponseException {

    private ControlApiException(HttpStatus status, String title, String detail, Throwable cause) {
        super(status, problem(status, title, detail), cause);
    }

    /** 400: the request itself is wrong (a value out of range, an impossible CPU, a malformed cpulist). */
    public static ControlApiException badRequest(String detail) {
        return new ControlApiException(HttpStatus.BAD_REQUEST, "Bad request", detail, null);
    }

    /** 400 for a request the emulated machine refused as impossible ({@link IllegalArgumentException} is its contract). */
    public static ControlApiException badRequest(IllegalArgumentException refusal) {
        return new ControlApiException(HttpStatus.BAD_REQUEST, "Bad request", refusal.getMessage(), refusal);
    }

    /** 409: the request is well-formed but the emulator's state or configuration does not allow it now. */
    public static ControlApiException conflict(String detail) {
        return new ControlApiException(HttpStatus.CONFLICT, "Conflict", detail, null);
    }

    private static ProblemDetail problem(HttpStatus status, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        return p;
    }

    @Override
    public String getMessage() {
        return getBody().getStatus() + " " + getBody().getTitle() + ": " + getBody().getDetail();
    }
}
