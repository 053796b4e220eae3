package io.tsfleet.emulator.api.security;

import io.tsfleet.emulator.api.ControlApiRefusals;
import io.tsfleet.emulator.api.ControlApiRefusals.Reason;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * A request body may hold at most {@code tsfleet.emulator.api.max-body-bytes}: a declared larger one is answered 413
 * before it is read; one without a length (chunked) stops being readable there, which the controllers answer with 400.
 * The largest valid body (a workload with 1000 bursts) is a few tens of kilobytes.
 */
final class BodySizeLimitFilter extends OncePerRequestFilter {
    private final long maxBytes;
    private final ProblemResponses problems;
    private final ControlApiRefusals refusals;

    BodySizeLimitFilter(long maxBytes, ProblemResponses problems, ControlApiRefusals refusals) {
        this.maxBytes = maxBytes;
        this.problems = problems;
        this.refusals = refusals;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain) throws ServletException, IOException {
        if (request.getContentLengthLong() > maxBytes) {
            refusals.count(Reason.LIMIT);
            response.setHeader("Connection", "close");
            problems.send(response, HttpStatus.CONTENT_TOO_LARGE, "Content too large", "the request body has " + request.getContentLengthLong()
                    + " bytes, more than the " + maxBytes + " the control API reads (tsfleet.emulator.api.max-body-bytes)");
            return;
        }
        chain.doFilter(new Bounded(request, maxBytes), response);
    }

    /** The request with a body that ends in an error after {@code maxBytes}. */
    private static final class Bounded extends HttpServletRequestWrapper {
        private final long maxBytes;
        private ServletInputStream stream;

        Bounded(HttpServletRequest request, long maxBytes) {
            super(request);
            this.maxBytes = maxBytes;
        }

        @Override
        public ServletInputStream getInputStream() throws IOException {
            if (stream == null) stream = new Counting(super.getInputStream(), maxBytes);
            return stream;
        }
    }

    private static final class Counting extends ServletInputStream {
        private final ServletInputStream in;
        private final long maxBytes;
        private long read;

        Counting(ServletInputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        private int count(int n) throws IOException {
            if (n > 0) read += n;
            if (read > maxBytes) throw new IOException("request body longer than " + maxBytes + " bytes (tsfleet.emulator.api.max-body-bytes)");
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
