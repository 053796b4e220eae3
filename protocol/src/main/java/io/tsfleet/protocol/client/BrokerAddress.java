package io.tsfleet.protocol.client;

import java.net.InetSocketAddress;

/** {@code host:port} of a broker ({@code tsfleet.listener.broker}); IPv6 literals in brackets ({@code [::1]:7411}). */
public record BrokerAddress(String host, int port) {
    public BrokerAddress {
        if (host == null || host.isBlank()) throw new IllegalArgumentException("broker host is empty");
        if (port < 1 || port > 65535) throw new IllegalArgumentException("broker port " + port + " is not in 1..65535");
    }

    public static BrokerAddress parse(String text) {
        if (text == null || text.isBlank()) throw new IllegalArgumentException("broker address is empty; expected host:port");
        String s = text.trim();
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1) throw new IllegalArgumentException("broker address '" + text + "' is not host:port");
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) host = host.substring(1, host.length() - 1);
        int port;
        try {
            port = Integer.parseInt(s.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("broker address '" + text + "' has no numeric port");
        }
        return new BrokerAddress(host, port);
    }

    public InetSocketAddress socketAddress() {
        return new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
