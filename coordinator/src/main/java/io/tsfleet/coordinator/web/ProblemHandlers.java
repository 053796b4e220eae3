package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.CoordinatorException;
import io.tsfleet.coordinator.domain.StateNotPersistedException;
import io.tsfleet.coordinator.service.NotLeaderException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error as RFC 9457 problem+json: the framework's own (unreadable bodies, type mismatches, unknown paths)
 * through {@link ResponseEntityExceptionHandler}, the domain's refusals mapped to 400, 404, 409, and 503 when this
 * instance does not lead or could not persist what a request changed (nothing of it is kept).
 */
@RestControllerAdvice
public class ProblemHandlers extends ResponseEntityExceptionHandler {

    @ExceptionHandler(CoordinatorException.InvalidRequest.class)
    ResponseEntity<ProblemDetail> invalid(CoordinatorException.InvalidRequest e) {
        return problem(HttpStatus.BAD_REQUEST, "Invalid request", e.getMessage());
    }

    @ExceptionHandler(CoordinatorException.UnknownReplica.class)
    ResponseEntity<ProblemDetail> unknown(CoordinatorException.UnknownReplica e) {
        return problem(HttpStatus.NOT_FOUND, "Unknown replica", e.getMessage());
    }

    @ExceptionHandler(CoordinatorException.Conflict.class)
    ResponseEntity<ProblemDetail> conflict(CoordinatorException.Conflict e) {
        return problem(HttpStatus.CONFLICT, "Conflict", e.getMessage());
    }

    @ExceptionHandler(NotLeaderException.class)
    ResponseEntity<ProblemDetail> notLeader(NotLeaderException e) {
        ResponseEntity<ProblemDetail> r = problem(HttpStatus.SERVICE_UNAVAILABLE, "Not the leader", e.getMessage());
        return ResponseEntity.status(r.getStatusCode()).header(HttpHeaders.RETRY_AFTER, "2").body(r.getBody());
    }

    @ExceptionHandler(StateNotPersistedException.class)
    ResponseEntity<ProblemDetail> notPersisted(StateNotPersistedException e) {
        ResponseEntity<ProblemDetail> r = problem(HttpStatus.SERVICE_UNAVAILABLE, "Assignment not persisted", e.getMessage());
        return ResponseEntity.status(r.getStatusCode()).header(HttpHeaders.RETRY_AFTER, "2").body(r.getBody());
    }

    private static ResponseEntity<ProblemDetail> problem(HttpStatus status, String title, String detail) {
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, detail);
        p.setTitle(title);
        return ResponseEntity.status(status).body(p);
    }
}
