package io.tsfleet.coordinator.config;

import io.tsfleet.coordinator.CoordinatorApplication;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad credential settings stop the start with a message that says what is wrong. */
class SecurityConfigurationValidationTest {

    private static void start(String... args) {
        String[] all = new String[args.length + 4];
        all[0] = "--server.port=0";
        all[1] = "--tsfleet.coordinator.possible-cpus=0-3";
        all[2] = "--tsfleet.coordinator.store=memory";
        all[3] = "--tsfleet.coordinator.tick-interval=1h";
        System.arraycopy(args, 0, all, 4, args.length);
        new SpringApplicationBuilder(CoordinatorApplication.class).run(all).close();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append('\n');
        return sb.toString();
    }

    @Test
    void tokenReviewWithoutKubernetesOrServiceAccountIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.coordinator.security.token-review.enabled=true",
                "--tsfleet.coordinator.security.token-review.service-account=tsfleet-listener"))
                .satisfies(e -> assertThat(messages(e)).contains("token-review.enabled=true needs tsfleet.coordinator.kubernetes.enabled=true"));
    }

    @Test
    void aBadReplicaTokenFileIsRefused(@TempDir Path dir) throws Exception {
        Path bad = Files.writeString(dir.resolve("tokens"), "r1=a\nr2=a\n");
        assertThatThrownBy(() -> start("--tsfleet.coordinator.security.replica-tokens-file=" + bad))
                .satisfies(e -> assertThat(messages(e)).contains("replica-tokens-file").contains("a token names two replicas"));
        assertThatThrownBy(() -> start("--tsfleet.coordinator.security.replica-tokens-file=" + dir.resolve("absent")))
                .satisfies(e -> assertThat(messages(e)).contains("replica-tokens-file"));
    }
}
