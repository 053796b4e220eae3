package io.tsfleet.emulator.live.config;

import io.tsfleet.emulator.app.DelayAccountingReport;
import io.tsfleet.emulator.app.EmulatorProperties;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.live.DelayAccountingMonitor;
import io.tsfleet.emulator.live.KernelBackend;
import io.tsfleet.emulator.live.KernelBackendSettings;
import io.tsfleet.emulator.live.KernelBackendUnavailableException;
import io.tsfleet.emulator.live.LiveSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;

/**
 * The live-kernel backend ({@code tsfleet.emulator.backend=kernel}): the broker's {@code BrokerBackend} bean is a
 * {@link KernelBackend}, probed at start — the application fails to start, with the reason, when this process lacks
 * CAP_NET_ADMIN, runs outside the init namespaces, or the kernel has no TASKSTATS.
 *
 * <p>The broker then listens on {@code 127.0.0.1} unless {@code tsfleet.emulator.broker.bind-address} is set: the
 * backend serves the node's task data with root's privilege. Non-loopback clients are refused unless
 * {@code tsfleet.emulator.broker.token} is set, and then they must authenticate before any TASKSTATS command. Without a
 * token, loopback clients are served only when their process runs as root, as the backend's uid, or as one of
 * {@code tsfleet.emulator.live.trusted-uids}.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "tsfleet.emulator.backend", havingValue = "kernel")
public class KernelBackendConfiguration {
    static final String BIND_ADDRESS = "tsfleet.emulator.broker.bind-address";
    private static final Logger LOG = LoggerFactory.getLogger(KernelBackendConfiguration.class);

    /** Loopback as the broker's default listen address, below every configured source (an explicit setting wins). */
    @Bean
    static BeanFactoryPostProcessor kernelBackendLoopbackDefault(ConfigurableEnvironment environment) {
        return beanFactory -> environment.getPropertySources()
                .addLast(new MapPropertySource("kernelBackendDefaults", Map.of(BIND_ADDRESS, "127.0.0.1")));
    }

    @Bean
    KernelBackend kernelBackend(EmulatorProperties props, NodeIdentity node) {
        LiveSystem system;
        try {
            system = LiveSystem.read(LiveSystem.SYSFS_CPU);
        } catch (IOException e) {
            throw new KernelBackendUnavailableException("cannot read the CPU topology from " + LiveSystem.SYSFS_CPU + ": " + e.getMessage(), e);
        }
        KernelBackendSettings settings = new KernelBackendSettings(props.broker().token(), KernelBackendSettings.DEFAULT_SOCK_FAMILY_ID,
                (int) props.live().receiveBufferFloor().toBytes(), (int) props.live().backlog().toBytes(), props.live().backlogTotal().toBytes(),
                props.live().trustedUids());
        if (!settings.hasToken() && !isLoopback(props.broker().bindAddress())) {
            LOG.warn("kernel backend listens on {} without tsfleet.emulator.broker.token: every non-loopback client will be refused",
                    props.broker().bindAddress());
        }
        return KernelBackend.start(settings, system, node);
    }

    /** This node: its configured name (or this host's) and the live kernel's boot id. */
    @Bean
    NodeIdentity nodeIdentity(EmulatorProperties props) {
        try {
            return new NodeIdentity(props.node().effectiveName(), LiveSystem.bootId(LiveSystem.BOOT_ID));
        } catch (IOException | IllegalArgumentException e) {
            throw new KernelBackendUnavailableException("cannot read the kernel's boot id from " + LiveSystem.BOOT_ID + ": " + e.getMessage(), e);
        }
    }

    /** The kernel's delay-accounting switch, read at start and every {@code tsfleet.emulator.live.delay-accounting-check-interval}. */
    @Bean(destroyMethod = "close")
    DelayAccountingMonitor delayAccountingMonitor(EmulatorProperties props, Clock clock) {
        DelayAccountingMonitor monitor = new DelayAccountingMonitor(Path.of(props.live().delayAccountingFile()), clock);
        monitor.start(props.live().delayAccountingCheckInterval());
        return monitor;
    }

    @Bean
    DelayAccountingReport delayAccountingReport(DelayAccountingMonitor monitor) {
        return new DelayAccountingReport(monitor::current, monitor::checkedAt);
    }

    @Bean
    KernelBackendMeters kernelBackendMeters(KernelBackend backend) {
        return new KernelBackendMeters(backend.stats());
    }

    private static boolean isLoopback(String address) {
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }
}
