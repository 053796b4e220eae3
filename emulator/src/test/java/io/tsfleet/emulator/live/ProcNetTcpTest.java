package io.tsfleet.emulator.live;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalInt;

import static org.assertj.core.api.Assertions.assertThat;

/** Finding the uid of a loopback client's socket in /proc/net/tcp and /proc/net/tcp6 (lines as the kernel writes them). */
class ProcNetTcpTest {
    private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n";

    @Test
    void theClientsEndIsFoundByItsAddressAndPortNotTheBrokersEnd(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tcp"), HEADER
                // the broker's end of the same connection (local 127.0.0.1:7411, remote 127.0.0.1:40000), owned by root
                + "   0: 0100007F:1CF3 0100007F:9C40 01 00000000:00000000 00:00000000 00000000     0        0 111 1 0 20 4 30 10 -1\n"
                // the client's end: local 127.0.0.1:40000, remote 127.0.0.1:7411, uid 1000
                + "   1: 0100007F:9C40 0100007F:1CF3 01 00000000:00000000 00:00000000 00000000  1000        0 222 1 0 20 4 30 10 -1\n");
        ProcNetTcp table = new ProcNetTcp(dir);
        InetSocketAddress broker = new InetSocketAddress("127.0.0.1", 7411);
        assertThat(table.uidOf(new InetSocketAddress("127.0.0.1", 40000), broker)).isEqualTo(OptionalInt.of(1000));
        assertThat(table.uidOf(new InetSocketAddress("127.0.0.1", 40001), broker)).as("no such connection").isEmpty();
    }

    @Test
    void anIpv4MappedClientInTcp6IsFound(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("tcp"), HEADER);
        // ::ffff:127.0.0.1 port 40000 -> ::ffff:127.0.0.1 port 7411, uid 65534 (a Java client: dual-stack socket)
        Files.writeString(dir.resolve("tcp6"), HEADER
                + "   0: 0000000000000000FFFF00000100007F:9C40 0000000000000000FFFF00000100007F:1CF3 01 00000000:00000000 00:00000000 00000000 65534        0 333 1 0 20 4 30 10 -1\n");
        assertThat(new ProcNetTcp(dir).uidOf(new InetSocketAddress("127.0.0.1", 40000), new InetSocketAddress("127.0.0.1", 7411)))
                .isEqualTo(OptionalInt.of(65534));
    }

    @Test
    void addressesAreWordsInLittleEndianOrder() throws Exception {
        assertThat(ProcNetTcp.decodeAddress("0100007F")).isEqualTo(InetAddress.getByName("127.0.0.1"));
        assertThat(ProcNetTcp.decodeAddress("00000000000000000000000001000000")).isEqualTo(InetAddress.getByName("::1"));
    }
}
