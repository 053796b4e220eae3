package io.tsfleet.emulator;

import io.tsfleet.emulator.live.DelayAccountingMonitor;
import io.tsfleet.emulator.live.DelayAccountingSwitch;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

import java.nio.file.Path;

/**
 * The emulator service: the broker on TCP 7411 and the control API on HTTP 8081. The control API has no users, only a
 * bearer token ({@code io.tsfleet.emulator.api.security}): no generated user and password.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class EmulatorApplication {
    /**
     * The command of the chart's init container (kernelBackend.enableDelayAccounting): {@code enable-delay-accounting
     * [file]} writes 1 to the switch (default /proc/sys/kernel/task_delayacct) and exits; see {@link DelayAccountingSwitch}.
     */
    public static final String ENABLE_DELAY_ACCOUNTING = "enable-delay-accounting";

    public static void main(String[] args) {
        if (args.length >= 1 && args.length <= 2 && ENABLE_DELAY_ACCOUNTING.equals(args[0])) {
            Path file = args.length == 2 ? Path.of(args[1]) : DelayAccountingMonitor.PROC_FILE;
            System.exit(DelayAccountingSwitch.enable(file, System.out, System.err));
        }
        SpringApplication.run(EmulatorApplication.class, args);
    }
}
