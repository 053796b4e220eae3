package io.tsfleet.emulator.live;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The backend refuses to start, with a message that names the missing capability, in a process without CAP_NET_ADMIN
 * (a child JVM started through {@code setpriv} with CAP_NET_ADMIN removed from its bounding set), and starts in one that
 * has it.
 */
class KernelBackendPrivilegeTest {

    @Test
    void withoutCapNetAdminTheBackendFailsAtStartSayingWhatIsMissing() throws Exception {
        LiveKernel.assumeAvailable();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/setpriv")), "setpriv (util-linux) is needed to drop CAP_NET_ADMIN");
        Result r = probe(List.of("/usr/bin/setpriv", "--bounding-set", "-net_admin", "--inh-caps", "-net_admin", "--"));
        assertThat(r.exitCode()).as(r.output()).isEqualTo(3);
        assertThat(r.output()).contains("UNAVAILABLE").contains("EPERM").contains("CAP_NET_ADMIN");
    }

    @Test
    void withCapNetAdminItStarts() throws Exception {
        LiveKernel.assumeAvailable();
        Result r = probe(List.of());
        assertThat(r.exitCode()).as(r.output()).isZero();
        assertThat(r.output()).contains("STARTED");
    }

    private record Result(int exitCode, String output) {
    }

    private static Result probe(List<String> prefix) throws IOException, InterruptedException {
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xshare:auto", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), StartProbe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        return new Result(p.exitValue(), out);
    }
}
