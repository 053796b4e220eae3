package io.tsfleet.emulator.app;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.BrokerSettings;
import io.tsfleet.emulator.broker.ConnectionLimits;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.SmartLifecycle;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;

/**
 * The TCP broker around whichever {@link BrokerBackend} bean the selected backend provides: the emulated
 * kernel ({@code io.tsfleet.emulator.emulated.config}) or the live kernel (a configuration in
 * {@code io.tsfleet.emulator.live} under {@code tsfleet.emulator.backend=kernel}).
 */
@Configuration(proxyBeanMethods = false)
class BrokerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    BrokerServer brokerServer(ObjectProvider<BrokerBackend> backends, EmulatorProperties props, Clock clock) {
        BrokerBackend backend = backends.getIfUnique();
        if (backend == null) {
            throw new IllegalStateException("no broker backend for tsfleet.emulator.backend=" + props.backend()
                    + " (the kernel backend lives in io.tsfleet.emulator.live)");
        }
        EmulatorProperties.Broker b = props.broker();
        ConnectionLimits limits = new ConnectionLimits(b.authTimeout(), b.idleTimeout(), b.maxConnectionsPerPeer(), b.hasToken(),
                b.refusalLogInterval());
        return new BrokerServer(backend, new BrokerSettings(b.bindAddress(), b.port(), b.ioThreads(), b.maxConnections(), b.maxMessageBytes(),
                b.partialFrameTimeout(), b.tcpSendBufferBytes(), b.flushDelay(), limits), clock);
    }

    @Bean
    SmartLifecycle brokerLifecycle(BrokerServer server) {
        return new SmartLifecycle() {
            private volatile boolean running;

            @Override
            public void start() {
                try {
                    server.start();
                } catch (IOException e) {
                    throw new UncheckedIOException("cannot start the broker", e);
                }
                running = true;
            }

            @Override
            public void stop() {
                server.close();
                running = false;
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
