package io.tsfleet.emulator.node.config;

import io.tsfleet.emulator.app.DelayAccountingReport;
import io.tsfleet.emulator.app.EmulatorProperties;
import io.tsfleet.emulator.broker.BrokerServer;
import io.tsfleet.emulator.broker.DelayAccounting;
import io.tsfleet.emulator.broker.NodeIdentity;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.live.KernelBackend;
import io.tsfleet.emulator.node.NodeAgent;
import io.tsfleet.emulator.node.NodeAgentSettings;
import io.tsfleet.emulator.node.NodeAgentStats;
import io.tsfleet.emulator.node.NodeAgentToken;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.fleet.NodeAnnouncement;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.function.Supplier;

/**
 * The node agent, when {@code tsfleet.emulator.node.coordinator-url} is set: it announces this node (name and boot id,
 * the backend's possible CPUs, the advertised broker, the delay-accounting state) once the broker listens, and
 * withdraws it before the broker stops.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnExpression("!'${tsfleet.emulator.node.coordinator-url:}'.trim().isEmpty()")
public class NodeAgentConfiguration {

    @Bean
    NodeAgentStats nodeAgentStats(Clock clock) {
        return new NodeAgentStats(clock);
    }

    @Bean
    NodeAgentMeters nodeAgentMeters(NodeAgentStats stats) {
        return new NodeAgentMeters(stats);
    }

    /**
     * The agent's lifecycle. It depends on the broker's lifecycle bean: started after the broker listens (the
     * advertised port is the bound one), stopped - and the node withdrawn - before the broker closes.
     */
    @Bean
    SmartLifecycle nodeAgentLifecycle(EmulatorProperties props, NodeIdentity node, DelayAccountingReport delayAccounting, BrokerServer broker,
                                      @Qualifier("brokerLifecycle") SmartLifecycle brokerLifecycle, ObjectProvider<EmulatedKernel> emulated,
                                      ObjectProvider<KernelBackend> kernel, JsonMapper json, Clock clock, NodeAgentStats stats) {
        EmulatorProperties.Node n = props.node();
        NodeAgentToken token = n.coordinatorTokenFile().isBlank() ? NodeAgentToken.fixed(n.coordinatorToken())
                : NodeAgentToken.fromFile(Path.of(n.coordinatorTokenFile().strip()));
        NodeAgentSettings settings = new NodeAgentSettings(URI.create(n.coordinatorUrl().trim()), token, n.requestTimeout(),
                n.retryBackoff(), n.maxRetryBackoff());
        Supplier<CpuSet> possible = () -> {
            EmulatedKernel k = emulated.getIfAvailable();
            if (k != null) return k.config().possibleCpus();
            KernelBackend live = kernel.getIfAvailable();
            if (live != null) return live.system().possibleCpus();
            throw new IllegalStateException("no backend tells the possible CPUs");
        };
        Supplier<NodeAnnouncement> announcement = () -> new NodeAnnouncement(node.name(), node.bootId(), possible.get().toCpulist(),
                n.advertisedBroker().isBlank() ? node.name() + ":" + broker.port() : n.advertisedBroker().trim(),
                delayAccountingOf(delayAccounting.current()), n.zone().isBlank() ? null : n.zone().trim());
        return new SmartLifecycle() {
            private volatile NodeAgent agent;

            @Override
            public void start() {
                NodeAgent a = new NodeAgent(settings, announcement, NodeAgent.httpClient(settings), json, clock, stats);
                a.start();
                agent = a;
            }

            @Override
            public void stop() {
                NodeAgent a = agent;
                agent = null;
                if (a != null) a.close();
            }

            @Override
            public boolean isRunning() {
                return agent != null;
            }
        };
    }

    static String delayAccountingOf(DelayAccounting d) {
        return switch (d.state()) {
            case ENABLED -> NodeAnnouncement.ON;
            case DISABLED -> NodeAnnouncement.OFF;
            case UNKNOWN -> NodeAnnouncement.UNKNOWN;
        };
    }
}
