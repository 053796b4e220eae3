package io.tsfleet.listener.sink;

import java.io.IOException;

/** Creates the sink of one scheme ({@code jsonl}, {@code none}, ...) from the argument after the colon. */
public interface RecordSinkProvider {

    /** The scheme this provider answers to, lower case. */
    String scheme();

    /**
     * Opens the sink. A bad argument or option is an {@link IllegalArgumentException} with a clear message; an I/O
     * failure (unwritable directory) an {@link IOException}.
     */
    RecordSink open(String argument, SinkContext context) throws IOException;
}
