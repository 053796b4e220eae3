package io.tsfleet.emulator.api;

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
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * HTTP/1.1 written byte for byte on a socket: the request target goes out exactly as spelled (no client normalises
 * {@code //}, {@code /../} or {@code %61}), from whichever local address the test picks.
 */
final class RawHttp {

    record Response(int status, Map<String, String> headers, String body, long millis) {
        String header(String name) {
            return headers.get(name.toLowerCase());
        }
    }

    private RawHttp() {
    }

    /** One request; {@code headers} are extra lines such as {@code "Authorization: Bearer x"}. */
    static Response send(InetAddress host, int port, String method, String target, String body, String... headers) throws IOException {
        byte[] content = body == null ? new byte[0] : body.getBytes(StandardCharsets.UTF_8);
        StringBuilder req = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\nHost: emulator\r\nConnection: close\r\n");
        if (body != null) req.append("Content-Type: application/json\r\n");
        req.append("Content-Length: ").append(content.length).append("\r\n");
        for (String h : headers) req.append(h).append("\r\n");
        req.append("\r\n");
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(30_000);
            s.getOutputStream().write(req.toString().getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().write(content);
            s.getOutputStream().flush();
            byte[] all = readAll(s.getInputStream());
            long millis = (System.nanoTime() - start) / 1_000_000;
            return parse(new String(all, StandardCharsets.ISO_8859_1), millis);
        }
    }

    /**
     * A request written exactly as given (request line, headers and whatever body); its answer is read as far as its
     * {@code Content-Length} (the server may keep the connection open to drain a body it refused).
     */
    static Response exchange(InetAddress host, int port, byte[] request) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 5_000);
            s.setSoTimeout(30_000);
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
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?i)content-length:\\s*(\\d+)").matcher(head);
            if (m.find()) out.write(in.readNBytes(Integer.parseInt(m.group(1))));
            else out.write(readAll(in));
            return parse(out.toString(StandardCharsets.ISO_8859_1), (System.nanoTime() - start) / 1_000_000);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        in.transferTo(out);
        return out.toByteArray();
    }

    private static Response parse(String raw, long millis) {
        int end = raw.indexOf("\r\n\r\n");
        if (end < 0) throw new IllegalStateException("no HTTP answer: " + raw);
        String[] lines = raw.substring(0, end).split("\r\n");
        int status = Integer.parseInt(lines[0].split(" ")[1]);
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            headers.put(lines[i].substring(0, colon).trim().toLowerCase(), lines[i].substring(colon + 1).trim());
        }
        String body = raw.substring(end + 4);
        if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) body = dechunk(body);
        // one char per byte so far (ISO-8859-1, so that chunk sizes count bytes): now the body's own UTF-8
        return new Response(status, headers, new String(body.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8), millis);
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int pos = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", pos);
            int size = Integer.parseInt(chunked.substring(pos, eol).trim(), 16);
            if (size == 0) return out.toString();
            out.append(chunked, eol + 2, eol + 2 + size);
            pos = eol + 2 + size + 2;
        }
    }

    /**
     * An address of this machine that is not loopback: connecting to it makes this test a remote client. A private one
     * (10/8, 172.16/12, 192.168/16) first: that is where a proxy Spring Boot would trust by default sits.
     */
    static Optional<InetAddress> nonLoopbackAddress() throws SocketException {
        List<InetAddress> found = new ArrayList<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (!nic.isUp() || nic.isLoopback()) continue;
            for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) found.add(a);
            }
        }
        return found.stream().filter(InetAddress::isSiteLocalAddress).findFirst().or(() -> found.stream().findFirst());
    }

    static InetAddress loopback() {
        return InetAddress.getLoopbackAddress();
    }
}
