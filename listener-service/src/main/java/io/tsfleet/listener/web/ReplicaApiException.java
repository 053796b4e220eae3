package io.tsfleet.listener.web;

import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.ErrorResponseException;

/**
 * A request the replica's HTTP API refuses, carrying its own answer: an RFC 9457 problem detail with status, title and
 * detail. Any other exception is a fault of the replica, answered 500 by Spring Boot's error handling.
 */
public final class ReplicaApiException extends ErrorResponseException {

    private ReplicaApiException(HttpStatus status, String title, String detail) {
        super(status, problem(status, title, detail), null);
    }

    /** 400: the request itself is wrong. */
    public static ReplicaApiException badRequest(String title, String detail) {
        return new ReplicaApiException(HttpStatus.BAD_REQUEST, title, detail);
    }

    /** 404: what the request names is not here. */
    public static ReplicaApiException notFound(String title, String detail) {
        return new ReplicaApiException(HttpStatus.NOT_FOUND, title, detail);
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
