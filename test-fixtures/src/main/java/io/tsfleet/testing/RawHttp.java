package io.tsfleet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * HTTP/1.1 written byte for byte on a socket: the request target goes out exactly as spelled (no client normalises,
 * encodes or decodes {@code //}, {@code /../} or {@code %61}), so that the server sees the spelling under test, from
 * whichever local address the test picks.
 */
public final class RawHttp {
    private static final Pattern CONTENT_LENGTH = Pattern.compile("(?i)content-length:\\s*(\\d+)");

    /** An answer: status, headers (names in lower case, the first of repeated ones), body (de-chunked, UTF-8), time taken. */
    public record Response(int status, Map<String, String> headers, String body, long millis) {
        public String header(String name) {
            return headers.get(name.toLowerCase(Locale.ROOT));
        }
    }

    private RawHttp() {
    }

    /**
     * One request to {@code 127.0.0.1:port} as a JSON client sends it ({@code Accept} JSON and problem+json, a bearer
     * token when {@code token} is not null, a JSON body when {@code jsonBody} is not null).
     */
    public static Response send(int port, String method, String target, String token, String jsonBody) throws IOException {
        byte[] body = jsonBody == null ? new byte[0] : jsonBody.getBytes(StandardCharsets.UTF_8);
        StringBuilder head = new StringBuilder().append(method).append(' ').append(target).append(" HTTP/1.1\r\n")
                .append("Host: localhost:").append(port).append("\r\n")
                .append("Connection: close\r\n")
                .append("Accept: application/json, application/problem+json, */*\r\n");
        if (token != null) head.append("Authorization: Bearer ").append(token).append("\r\n");
        if (jsonBody != null) head.append("Content-Type: application/json\r\n");
        if (jsonBody != null || "POST".equals(method) || "PUT".equals(method)) head.append("Content-Length: ").append(body.length).append("\r\n");
        head.append("\r\n");
        return roundTrip(loopbackIpv4(), port, head.toString(), body);
    }

    /** One request; {@code headers} are extra lines such as {@code "Authorization: Bearer x"}. */
    public static Response send(InetAddress host, int port, String method, String target, String body, String... headers) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n");
        if (body != null) req.append("Content-Type: application/json\r\n");
        req.append("Content-Length: ").append(content.length).append("\r\n");
        for (String h : headers) req.append(h).append("\r\n");
        req.append("\r\n");
        return roundTrip(host, port, req.toString(), content);
    }

    /**
     * A request written exactly as given (request line, headers and whatever body); its answer is read as far as its
     * {@code Content-Length} (the server may keep the connection open to drain a body it refused).
     */
    public static Response exchange(InetAddress host, int port, byte[] request) throws IOException {
        long start = System.nanoTime();
        try (Socket s = connect(host, port)) {
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int end = -1;
            while (end < 0) {
                int b = in.read();
                if (b < 0) break;
                out.write(b);
                String sofar = out.toString(StandardCharsets.ISO_8859_1);
                if (sofar.endsWith("\r\n\r\n")) end = sofar.length();
            }
            String head = out.toString(StandardCharsets.ISO_8859_1);
            Matcher m = CONTENT_LENGTH.matcher(head);
            if (m.find()) out.write(in.readNBytes(Integer.parseInt(m.group(1))));
            else in.transferTo(out);
            return parse(out.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
        }
    }

    /**
     * An address of this machine that is not loopback: connecting to it makes the test a remote client. A private one
     * (10/8, 172.16/12, 192.168/16) first: that is where a proxy Spring Boot would trust by default sits.
     */
    public static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) continue;
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) found.add(a);
            }
        }
        return found.stream().filter(InetAddress::isSiteLocalAddress).findFirst().or(() -> found.stream().findFirst());
    }

    public static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }

    private static InetAddress loopbackIpv4() throws IOException {
        return InetAddress.getByName("127.0.0.1");
    }

    private static Response roundTrip(InetAddress host, int port, String head, byte[] body) throws IOException {
        long start = System.nanoTime();
        try (Socket s = connect(host, port)) {
            s.getOutputStream().write(head.getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(body);
            s.getOutputStream().flush();
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            s.getInputStream().transferTo(all);
            return parse(all.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static Socket connect(InetAddress host, int port) throws IOException {
        Socket s = new Socket();
        try {
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(30_000);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    private static Response parse(String raw, long millis) {
        int end = raw.indexOf("\r\n\r\n");
        String head = end < 0 ? raw : raw.substring(0, end);
        String body = end < 0 ? "" : raw.substring(end + 4);
        String[] lines = head.split("\r\n");
        String[] statusLine = lines[0].split(" ", 3);
        if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/")) throw new IllegalStateException("not an HTTP answer: " + raw);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) headers.putIfAbsent(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
        }
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = dechunk(body);
        // one char per byte so far (ISO-8859-1, so that chunk sizes count bytes): now the body's own UTF-8
        return new Response(Integer.parseInt(statusLine[1]), headers,
                new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8), millis);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", pos);
            if (eol < 0) return out.toString();
            int size = Integer.parseInt(chunked.substring(pos, eol).trim(), 16);
            if (size == 0) return out.toString();
            out.append(chunked, eol + 2, Math.min(chunked.length(), eol + 2 + size));
            pos = eol + 2 + size + 2;
        }
    }
}
