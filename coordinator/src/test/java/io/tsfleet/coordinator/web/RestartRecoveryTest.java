package io.tsfleet.coordinator.web;

import io.tsfleet.coordinator.CoordinatorApplication;
import io.tsfleet.coordinator.domain.Heartbeats;
import io.tsfleet.coordinator.domain.view.AssignmentView;
import io.tsfleet.coordinator.service.CoordinatorService;
import io.tsfleet.protocol.fleet.ReplicaDirective;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The whole service, stopped and started again on the same state file, recovers the assignment. */
class RestartRecoveryTest {
    @TempDir
    Path dir;

    private ConfigurableApplicationContext start(Path stateFile) {
        return new SpringApplicationBuilder(CoordinatorApplication.class).run(
                "--server.port=0",
                "--tsfleet.coordinator.possible-cpus=0-31",
                "--tsfleet.coordinator.store=file",
                "--tsfleet.coordinator.state-file=" + stateFile,
                "--tsfleet.coordinator.tick-interval=1h",
                "--tsfleet.coordinator.security.admin-tokens=t");
    }

    @Test
    void aRestartedServiceAnswersTheSameDirectivesFromTheStateFile() {
        Path stateFile = dir.resolve("state.json");
        AssignmentView before;
        ReplicaDirective a, b;
        try (ConfigurableApplicationContext first = start(stateFile)) {
            CoordinatorService service = first.getBean(CoordinatorService.class);
            ReplicaDirective joined = service.call(c -> c.heartbeat("a", Heartbeats.empty("a", "ia", 0)));
            service.call(c -> c.heartbeat("a", Heartbeats.of("a", "ia", joined.generation(), "0-31", 5, Map.of(), "")));
            service.call(c -> c.heartbeat("b", Heartbeats.empty("b", "ib", 0)));
            service.call(c -> c.setMask("b", "16-31"));
            before = service.call(c -> c.assignment());
            a = service.call(c -> c.directiveFor("a"));
            b = service.call(c -> c.directiveFor("b"));
        }
        assertThat(Files.exists(stateFile)).isTrue();

        try (ConfigurableApplicationContext second = start(stateFile)) {
            CoordinatorService service = second.getBean(CoordinatorService.class);
            AssignmentView after = service.call(c -> c.assignment());
            assertThat(after.generation()).isEqualTo(before.generation());
            assertThat(after.owners()).isEqualTo(before.owners()).containsEntry("a", "0-31");
            assertThat(after.targets()).isEqualTo(before.targets()).containsEntry("b", "16-31");
            assertThat(after.pins()).isEqualTo(before.pins());
            assertThat(after.handovers()).hasSameSizeAs(before.handovers());
            ReplicaDirective aAfter = service.call(c -> c.directiveFor("a"));
            ReplicaDirective bAfter = service.call(c -> c.directiveFor("b"));
            java.util.List<io.tsfleet.coordinator.domain.AuditEvent> audit = service.call(c -> c.audit(10));
            assertThat(aAfter).isEqualTo(a);
            assertThat(bAfter).isEqualTo(b);
            assertThat(audit).anyMatch(e -> e.type().equals("recovered"));
        }
    }
}
