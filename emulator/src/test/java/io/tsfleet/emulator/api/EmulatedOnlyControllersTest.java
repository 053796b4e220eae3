package io.tsfleet.emulator.api;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The control API's controllers drive the emulated machine ({@code EmulatedKernel}, the workload generator): they are
 * beans only with {@code tsfleet.emulator.backend=emulated} (the default), never in a {@code --backend kernel} run,
 * whose application context has neither the emulated kernel nor these controllers (the kernel run itself is
 * {@code live.config.KernelBackendApplicationTest}, which needs root).
 */
class EmulatedOnlyControllersTest {
    private final WebApplicationContextRunner runner = new WebApplicationContextRunner()
            .withUserConfiguration(EmulatorController.class, WorkloadController.class);

    @Test
    void aKernelBackendRunHasNoEmulatedControllers() {
        runner.withPropertyValues("tsfleet.emulator.backend=kernel").run(context -> {
            assertThat(context).hasNotFailed();
            assertThat(context).doesNotHaveBean(EmulatorController.class);
            assertThat(context).doesNotHaveBean(WorkloadController.class);
        });
    }

    @Test
    void anEmulatedRunWouldCreateThem() {
        // without the emulated backend's beans the controllers cannot be built: the context fails on exactly them
        runner.withPropertyValues("tsfleet.emulator.backend=emulated").run(context -> assertThat(context).hasFailed());
        runner.run(context -> assertThat(context).hasFailed());
    }
}
