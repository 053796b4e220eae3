package io.tsfleet.emulator.live;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * The kernel's TCP socket tables {@code /proc/net/tcp} and {@code /proc/net/tcp6} of this network namespace: finds the
 * uid that owns a socket by its local and remote address. A line reads
 * {@code sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode ...}; an address is the IPv4
 * address as one 32-bit word in host (little-endian) order, or the IPv6 address as four such words, then {@code :} and
 * the port in hex.
 */
final class ProcNetTcp {
    static final Path PROC_NET = Path.of("/proc/net");

    private final Path dir;

    ProcNetTcp(Path dir) {
        this.dir = dir;
    }

    /**
     * The uid of the socket whose local end is {@code client} and whose remote end is {@code server} (the client's end of
     * a connection to the broker), or empty when neither table has it.
     */
    OptionalInt uidOf(InetSocketAddress client, InetSocketAddress server) throws IOException {
        for (String table : new String[] {"tcp", "tcp6"}) {
            OptionalInt uid = find(dir.resolve(table), client, server);
            if (uid.isPresent()) return uid;
        }
        return OptionalInt.empty();
    }

    private static OptionalInt find(Path table, InetSocketAddress client, InetSocketAddress server) throws IOException {
        String clientPort = portHex(client.getPort());
        String serverPort = portHex(server.getPort());
        try (BufferedReader r = Files.newBufferedReader(table, StandardCharsets.US_ASCII)) {
            r.readLine(); // header
            String line;
            while ((line = r.readLine()) != null) {
                String[] f = line.trim().split("\\s+");
                if (f.length < 8) continue;
                // cheap port test first: most lines are other connections
                if (!f[1].endsWith(":" + clientPort) || !f[2].endsWith(":" + serverPort)) continue;
                if (sameAddress(f[1], client.getAddress()) && sameAddress(f[2], server.getAddress())) {
                    return OptionalInt.of(Integer.parseInt(f[7]));
                }
            }
        } catch (NoSuchFileException e) {
            return OptionalInt.empty(); // no IPv6 in this kernel
        }
        return OptionalInt.empty();
    }

    private static String portHex(int port) {
        return String.format("%04X", port);
    }

    private static boolean sameAddress(String field, InetAddress address) {
        try {
            return decodeAddress(field.substring(0, field.indexOf(':'))).equals(address);
        } catch (IllegalArgumentException | UnknownHostException e) {
            return false;
        }
    }

    /** An address column (without the port): 8 or 32 hex digits of 32-bit words in little-endian order. */
    static InetAddress decodeAddress(String hex) throws UnknownHostException {
        byte[] words = HexFormat.of().parseHex(hex);
        if (words.length != 4 && words.length != 16) throw new IllegalArgumentException("not an address: " + hex);
        byte[] address = new byte[words.length];
        for (int w = 0; w < words.length; w += 4) {
            for (int i = 0; i < 4; i++) address[w + i] = words[w + 3 - i];
        }
        return InetAddress.getByAddress(address); // an IPv4-mapped IPv6 address comes back as the IPv4 address
    }
}
