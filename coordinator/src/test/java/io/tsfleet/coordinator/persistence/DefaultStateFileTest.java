package io.tsfleet.coordinator.persistence;

import io.tsfleet.coordinator.CoordinatorApplication;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.service.CoordinatorService;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The whole service with the default {@code file} store and no {@code state-file}: the state lands in the per-user
 * state directory (created on the first write), never in the directory the jar was started from.
 */
class DefaultStateFileTest {
    private static final Path OLD_DEFAULT = Path.of("tsfleet-coordinator-state.json");

    @TempDir
    Path dir;

    private static ConfigurableApplicationContext start(String... extra) {
        String[] args = {"--server.port=0", "--tsfleet.coordinator.possible-cpus=0-7", "--tsfleet.coordinator.tick-interval=1h",
                "--tsfleet.coordinator.security.admin-tokens=t"};
        String[] all = new String[args.length + extra.length];
        System.arraycopy(args, 0, all, 0, args.length);
        System.arraycopy(extra, 0, all, args.length, extra.length);
        return new SpringApplicationBuilder(CoordinatorApplication.class).run(all);
    }

    /** The old default file in the working directory, as it was: its modification time, or null when absent. */
    private static FileTime oldDefault() throws IOException {
        return Files.exists(OLD_DEFAULT) ? Files.getLastModifiedTime(OLD_DEFAULT) : null;
    }

    private static void join(ConfigurableApplicationContext ctx) {
        ctx.getBean(CoordinatorService.class).call(c -> c.heartbeat("a", Heartbeats.empty("a", "ia", 0)));
    }

    @Test
    void theDefaultStateFileIsUnderXdgStateHome() throws Exception {
        FileTime before = oldDefault();
        Path expected = dir.resolve("state/tsfleet/coordinator-state.json");
        try (ConfigurableApplicationContext ctx = start("--XDG_STATE_HOME=" + dir.resolve("state"))) {
            assertThat(ctx.getBean(FileAssignmentStore.class).file()).isEqualTo(expected);
            join(ctx);
        }
        assertThat(expected).isRegularFile();
        assertThat(oldDefault()).as("nothing written to the working directory").isEqualTo(before);
    }

    @Test
    void withoutXdgStateHomeItIsUnderTheHomeDirectory() throws Exception {
        assumeTrue(System.getenv("XDG_STATE_HOME") == null, "XDG_STATE_HOME is set in this environment");
        FileTime before = oldDefault();
        Path expected = dir.resolve(".local/state/tsfleet/coordinator-state.json");
        try (ConfigurableApplicationContext ctx = start("--user.home=" + dir)) {
            assertThat(ctx.getBean(FileAssignmentStore.class).file()).isEqualTo(expected);
            join(ctx);
        }
        assertThat(expected).isRegularFile();
        assertThat(oldDefault()).as("nothing written to the working directory").isEqualTo(before);
    }
}
