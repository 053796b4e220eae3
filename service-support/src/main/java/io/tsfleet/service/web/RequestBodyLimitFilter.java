package io.tsfleet.service.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * Caps the body of a request at {@code limit} bytes. A declared Content-Length above it is answered 413 problem+json
 * (with {@code Connection: close}: the unread rest is not worth swallowing) before anything reads the body. A body
 * without a length (chunked) is handled as the service chooses ({@link ChunkedBodies}). Every 413 runs the
 * {@code onRefusal} action (the service's counter). Without path prefixes every request is capped; with them, only
 * requests under one of them.
 */
public final class RequestBodyLimitFilter extends OncePerRequestFilter {

    /** What happens to a body without a declared length. */
    public enum ChunkedBodies {
        /** read up to the limit before anything else sees it; a longer one is answered 413 like a declared one */
        READ_AHEAD_AND_REFUSE,
        /** reading past the limit fails with an {@link IOException}, which Spring MVC answers as an unreadable body (400) */
        FAIL_PAST_LIMIT
    }

    /** What the answers and errors say. */
    public interface Wording {
        /** The title of the 413 problem. */
        String title();

        /** The detail of a 413 for a declared length. */
        String declaredTooLarge(long declared, long limit);

        /** The detail of a 413 for a chunked body read past the limit ({@link ChunkedBodies#READ_AHEAD_AND_REFUSE}). */
        String chunkedTooLarge(long limit);

        /** The message of the {@link IOException} of a read past the limit ({@link ChunkedBodies#FAIL_PAST_LIMIT}). */
        String readPastLimit(long limit);
    }

    private final long limit;
    private final ChunkedBodies chunked;
    private final Wording wording;
    private final ProblemResponses problems;
    private final Runnable onRefusal;
    private final List<String> pathPrefixes;

    /**
     * @param limit        the largest body in bytes
     * @param chunked      what happens to a body without a declared length
     * @param wording      what the answers say
     * @param problems     how a 413 is written
     * @param onRefusal    run for every 413 (count it)
     * @param pathPrefixes capped paths (after the context path), e.g. {@code /api/}; none: every path
     */
    public RequestBodyLimitFilter(long limit, ChunkedBodies chunked, Wording wording, ProblemResponses problems, Runnable onRefusal,
                                  List<String> pathPrefixes) {
        if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, was " + limit);
        this.limit = limit;
        this.chunked = Objects.requireNonNull(chunked);
        this.wording = Objects.requireNonNull(wording);
        this.problems = Objects.requireNonNull(problems);
        this.onRefusal = Objects.requireNonNull(onRefusal);
        this.pathPrefixes = List.copyOf(pathPrefixes);
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        if (pathPrefixes.isEmpty()) return false;
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return pathPrefixes.stream().noneMatch(path::startsWith);
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > limit) {
            refuse(request, response, wording.declaredTooLarge(declared, limit));
            return;
        }
        switch (chunked) {
            case READ_AHEAD_AND_REFUSE -> {
                if (declared < 0 && request.getHeader(HttpHeaders.TRANSFER_ENCODING) != null) {
                    byte[] body = request.getInputStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
                    if (body.length > limit) {
                        refuse(request, response, wording.chunkedTooLarge(limit));
                        return;
                    }
                    chain.doFilter(new ReadAhead(request, body), response);
                    return;
                }
                chain.doFilter(request, response);
            }
            case FAIL_PAST_LIMIT -> chain.doFilter(new Bounded(request, limit, wording.readPastLimit(limit)), response);
        }
    }

    private void refuse(HttpServletRequest request, HttpServletResponse response, String detail) throws IOException {
        onRefusal.run();
        response.setHeader(HttpHeaders.CONNECTION, "close");
        problems.send(request, response, HttpStatus.CONTENT_TOO_LARGE, wording.title(), detail);
    }

    /** A request whose (chunked) body has been read already, within the limit. */
    private static final class ReadAhead extends HttpServletRequestWrapper {
        private final byte[] body;

        ReadAhead(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("the body has been read already");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }

        @Override
        public BufferedReader getReader() {
            String encoding = getCharacterEncoding();
            return new BufferedReader(new InputStreamReader(getInputStream(), encoding == null ? StandardCharsets.UTF_8 : Charset.forName(encoding)));
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }
    }

    /** The request with a body that ends in an error after {@code limit} bytes. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long limit;
        private final String message;
        private ServletInputStream stream;

        Bounded(HttpServletRequest request, long limit, String message) {
            super(request);
            this.limit = limit;
            this.message = message;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) stream = new Counting(super.getInputStream(), limit, message);
            return stream;
        }
    }

    private static final class Counting extends ServletInputStream {
        private final ServletInputStream in;
        private final long limit;
        private final String message;
        private long read;

        Counting(ServletInputStream in, long limit, String message) {
            this.in = in;
            this.limit = limit;
            this.message = message;
        }

        private int count(int n) throws IOException {
            if (n > 0) read += n;
            if (read > limit) throw new IOException(message);
            return n;
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) count(1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            return count(in.read(b, off, len));
        }

        @Override
        public boolean isFinished() {
            return in.isFinished();
        }

        @Override
        public boolean isReady() {
            return in.isReady();
        }

        @Override
        public void setReadListener(ReadListener listener) {
            in.setReadListener(listener);
        }
    }
}
