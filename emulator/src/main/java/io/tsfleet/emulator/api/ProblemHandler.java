package io.tsfleet.emulator.api;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.MethodArgumentNotValidException;
import org.springframework.web.context.request.WebRequest;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

import java.util.stream.Collectors;

/**
 * Errors as RFC 9457 problem details: Spring MVC's own refusals (an unreadable body, a wrong parameter type, ...) and
 * every {@link ControlApiException} answer with their status; a body that breaks its constraints is 400 and names
 * every field. Nothing else is mapped: any other exception is a fault of the emulator, a 500 from Spring Boot's error
 * handling, and never mistaken for a refusal (an {@code IllegalStateException} used to become a 409).
 */
@RestControllerAdvice
class ProblemHandler extends ResponseEntityExceptionHandler {

    /** A body that breaks its constraints: the answer names every field and what it must be. */
    @Override
    protected ResponseEntity<Object> handleMethodArgumentNotValid(MethodArgumentNotValidException e, HttpHeaders headers, HttpStatusCode status,
                                                                  WebRequest request) {
        String detail = e.getBindingResult().getFieldErrors().stream()
                .map(f -> f.getField() + " " + f.getDefaultMessage() + " (was " + f.getRejectedValue() + ")")
                .sorted().collect(Collectors.joining("; "));
        if (detail.isEmpty()) detail = e.getBindingResult().getAllErrors().stream().map(x -> String.valueOf(x.getDefaultMessage())).collect(Collectors.joining("; "));
        ProblemDetail p = ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, detail);
        p.setTitle("Bad request");
        return handleExceptionInternal(e, p, headers, HttpStatus.BAD_REQUEST, request);
    }
}
