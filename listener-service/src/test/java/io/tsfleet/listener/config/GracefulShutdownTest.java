package io.tsfleet.listener.config;

import io.tsfleet.listener.ListenerApplication;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.protocol.testing.FakeBroker;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Closing the application (what SIGTERM does) deregisters every CPU and flushes the sink. */
class GracefulShutdownTest {

    @TempDir
    Path dir;

    @Test
    void shutdownDeregistersAndFlushesTheSink() throws Exception {
        try (FakeBroker broker = new FakeBroker(null, 4).start()) {
            Path file = dir.resolve("out.jsonl");
            ConfigurableApplicationContext ctx = new SpringApplicationBuilder(ListenerApplication.class).run(
                    "--server.port=0", "--tsfleet.listener.broker=" + broker.address(), "--tsfleet.listener.static-mask=0-3",
                    "--tsfleet.listener.sink=jsonl:" + file, "--tsfleet.listener.id=shutdown-test");
            ReplicaEngine engine = ctx.getBean(ReplicaEngine.class);
            await().atMost(Duration.ofSeconds(10)).until(engine::ready);
            for (int i = 0; i < 400; i++) broker.exit(i % 4, i, "s", false);
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.totals().records.sum() == 400);
            ctx.close();
            for (int cpu = 0; cpu < 4; cpu++) assertThat(broker.listenerCount(cpu)).isZero();
            assertThat(Files.readAllLines(file)).hasSize(400);
            assertThat(engine.state()).isEqualTo(ReplicaEngine.State.STOPPED);
        }
    }
}
