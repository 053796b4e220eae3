package io.tsfleet.listener.config;

import java.security.Security;

/**
 * How long the JVM remembers that a host name did not resolve. The JDK's default ({@code networkaddress.cache.negative.ttl=10}
 * in its {@code java.security}) keeps a failed lookup for 10 s. A replica dials each node's broker by the address the
 * node advertises, by default {@code <node name>:<broker port>}: while a node reboots its name may not resolve (its
 * DNS record goes with it), and with the default every reconnection attempt would keep failing for up to 10 s after the
 * name resolves again, so the node's slots would stay uncovered that long. One second is below the reconnect backoff's
 * cap (2 s), so a node that is back is reached at the next attempt.
 *
 * <p>The JDK reads the setting once, at the first lookup: {@link #limit()} must run before anything resolves a name
 * (first thing in {@code main}). A value set by the operator (a {@code java.security.properties} file, or the security
 * property set otherwise) is kept.
 */
public final class NameLookupCaching {
    /** The security property the JDK reads. */
    public static final String NEGATIVE_TTL = "networkaddress.cache.negative.ttl";
    /** The JDK's own value, from its {@code java.security} file. */
    static final String JDK_DEFAULT_SECONDS = "10";
    /** The replica's value. */
    public static final String SECONDS = "1";

    private NameLookupCaching() {
    }

    /** Sets the negative lookup cache to {@value #SECONDS} s unless the operator chose a value; answers the value in force. */
    public static String limit() {
        String current = Security.getProperty(NEGATIVE_TTL);
        if (current == null || current.trim().equals(JDK_DEFAULT_SECONDS)) {
            Security.setProperty(NEGATIVE_TTL, SECONDS);
            return SECONDS;
        }
        return current.trim();
    }
}
