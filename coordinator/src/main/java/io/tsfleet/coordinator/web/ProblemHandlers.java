package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.domain.CoordinatorException;
import io.tsfleet.coordinator.domain.ProblemAnswer;
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
 * through {@link ResponseEntityExceptionHandler}, and the coordinator's refusals with the answer each carries
 * ({@link ProblemAnswer}): the domain's 400, 404, 409 ({@link CoordinatorException}), and 503 with
 * {@code Retry-After} when this instance does not lead or could not persist what a request changed (nothing of it is
 * kept). Nothing else is mapped: any other exception is a fault, a 500 from Spring Boot's error handling.
 */
@RestControllerAdvice
public class ProblemHandlers extends ResponseEntityExceptionHandler {

    @ExceptionHandler({CoordinatorException.class, NotLeaderException.class, StateNotPersistedException.class})
    ResponseEntity<ProblemDetail> refused(RuntimeException e) {
        ProblemAnswer answer = (ProblemAnswer) e;
        HttpStatus status = HttpStatus.valueOf(answer.status());
        ProblemDetail p = ProblemDetail.forStatusAndDetail(status, answer.getMessage());
        p.setTitle(answer.title());
        ResponseEntity.BodyBuilder r = ResponseEntity.status(status);
        answer.retryAfterSeconds().ifPresent(s -> r.header(HttpHeaders.RETRY_AFTER, Integer.toString(s)));
        return r.body(p);
    }
}
