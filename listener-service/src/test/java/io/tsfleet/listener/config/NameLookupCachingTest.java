package io.tsfleet.listener.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.Security;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A node's broker that is dialled by name (the emulator's default advertised broker, {@code <node name>:<port>}) and
 * whose name stops resolving while the node reboots must be reached again soon after the name is back. The JDK keeps
 * the failed lookup for 10 s by default, and reads the setting once per JVM, so the dial runs in a child JVM started
 * like the listener ({@link BrokerNameProbe}) with a resolver whose answer the test switches ({@link FlagFileResolverProvider}).
 */
class NameLookupCachingTest {

    @Test
    void aBrokerWhoseNameResolvesAgainIsReachedWithinTwoSeconds(@TempDir Path dir) throws Exception {
        Path services = dir.resolve("resolver/META-INF/services");
        Files.createDirectories(services);
        Files.writeString(services.resolve("java.net.spi.InetAddressResolverProvider"), FlagFileResolverProvider.class.getName() + "\n");
        Path flag = dir.resolve("name-resolves");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classpath = System.getProperty("java.class.path") + File.pathSeparator + dir.resolve("resolver");
        Process p = new ProcessBuilder(List.of(java, "-cp", classpath, "-Dtsfleet.test.name-flag=" + flag,
                BrokerNameProbe.class.getName(), "2000")).redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("the probe ends").isTrue();
        List<String> out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        assertThat(out).as("the probe's output").anyMatch(l -> l.startsWith("unresolved while the node is away"));
        assertThat(out.getLast()).as("the probe's output: %s", out).isEqualTo("connected");
    }

    @Test
    void anOperatorsValueIsKept() {
        String before = Security.getProperty(NameLookupCaching.NEGATIVE_TTL);
        try {
            Security.setProperty(NameLookupCaching.NEGATIVE_TTL, "3");
            assertThat(NameLookupCaching.limit()).isEqualTo("3");
            assertThat(Security.getProperty(NameLookupCaching.NEGATIVE_TTL)).isEqualTo("3");
            Security.setProperty(NameLookupCaching.NEGATIVE_TTL, NameLookupCaching.JDK_DEFAULT_SECONDS);
            assertThat(NameLookupCaching.limit()).isEqualTo(NameLookupCaching.SECONDS);
            assertThat(Security.getProperty(NameLookupCaching.NEGATIVE_TTL)).isEqualTo(NameLookupCaching.SECONDS);
        } finally {
            Security.setProperty(NameLookupCaching.NEGATIVE_TTL, before == null ? NameLookupCaching.JDK_DEFAULT_SECONDS : before);
        }
    }
}
