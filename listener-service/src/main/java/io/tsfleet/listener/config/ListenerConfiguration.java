package io.tsfleet.listener.config;

import io.tsfleet.listener.coordinator.HeartbeatLoop;
import io.tsfleet.listener.coordinator.CoordinatorToken;
import io.tsfleet.listener.coordinator.HttpCoordinatorClient;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.listener.engine.ChannelSettings;
import io.tsfleet.listener.engine.EngineSettings;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.metrics.HandoverTimers;
import io.tsfleet.listener.metrics.ReplicaMeterBinder;
import io.tsfleet.listener.metrics.SinkLatencyCollector;
import io.tsfleet.listener.metrics.TaskDelayCollector;
import io.tsfleet.listener.metrics.TaskDelayHistograms;
import io.tsfleet.listener.sink.RecordSinkFactory;
import io.tsfleet.listener.sink.RecordSinkProvider;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnExpression;
import org.springframework.boot.micrometer.metrics.autoconfigure.MetricsProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;

/** Wires the plain-Java replica (engine, channels, sink pipeline, heartbeat loop) from {@link ListenerProperties}. */
@Configuration(proxyBeanMethods = false)
public class ListenerConfiguration {

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ReplicaId replicaId(ListenerProperties props) {
        return new ReplicaId(ReplicaIdentity.resolve(props.id(), System.getenv()));
    }

    @Bean
    ReplicaTotals replicaTotals() {
        return new ReplicaTotals();
    }

    @Bean
    HandoverTimers handoverTimers() {
        return new HandoverTimers();
    }

    @Bean
    TaskDelayHistograms taskDelayHistograms(ObjectProvider<PrometheusRegistry> prometheus, ObjectProvider<MetricsProperties> metrics) {
        TaskDelayHistograms histograms = new TaskDelayHistograms();
        Map<String, String> commonTags = metrics.getIfAvailable(MetricsProperties::new).getTags();
        prometheus.ifAvailable(registry -> registry.register(new TaskDelayCollector(histograms, commonTags)));
        return histograms;
    }

    @Bean
    ReplicaMeterBinder replicaMeterBinder(ReplicaEngine engine, SinkFanOut pipeline, ObjectProvider<HeartbeatLoop> heartbeatLoop) {
        return new ReplicaMeterBinder(engine, pipeline, heartbeatLoop.getIfAvailable());
    }

    @Bean
    RecordSinkFactory recordSinkFactory(List<RecordSinkProvider> providers) {
        return new RecordSinkFactory(providers);
    }

    @Bean
    SinkFanOut sinkFanOut(ListenerProperties props, RecordSinkFactory factory, ReplicaId id, TaskDelayHistograms delays,
                          ObjectProvider<PrometheusRegistry> prometheus, ObjectProvider<MetricsProperties> metrics) throws IOException {
        SinkFanOut sinks = SinkFanOutFactory.open(factory, props.sink(), props.sinkOptions(), id.value(), props.sinkQueue().toBytes(),
                (int) props.sinkBatch().toBytes(), delays, System::nanoTime);
        Map<String, String> commonTags = metrics.getIfAvailable(MetricsProperties::new).getTags();
        prometheus.ifAvailable(registry -> registry.register(new SinkLatencyCollector(sinks, commonTags)));
        return sinks;
    }

    @Bean
    ReplicaEngine replicaEngine(ListenerProperties props, SinkFanOut pipeline, ReplicaTotals totals, Clock clock, HandoverTimers handoverTimers) {
        ChannelSettings channel = new ChannelSettings(blankToNull(props.brokerToken()),
                (int) props.receiveBuffer().toBytes(), props.receiveBufferForce(), (int) props.readBuffer().toBytes(), props.connectTimeout(),
                props.backoff().initial(), props.backoff().max(), props.backoff().multiplier(), props.backoff().jitter(),
                props.holdbackRecords(), props.deregisterTimeout());
        EngineSettings settings = new EngineSettings(channel, props.brokerAddress(), ReplicaPlacement.node(props.node(), System.getenv()),
                ReplicaPlacement.zone(props.zone()), props.handoverTimeout(), props.firstSeqReports(), 0.3,
                Runtime.getRuntime().availableProcessors(), props.holdbackTotalRecords());
        return new ReplicaEngine(settings, pipeline, totals, clock, System::nanoTime, handoverTimers);
    }

    @Bean
    @ConditionalOnExpression("'${tsfleet.listener.coordinator-url:}' != ''")
    HeartbeatLoop heartbeatLoop(ListenerProperties props, ReplicaEngine engine, ReplicaId id, Clock clock,
                                ObjectProvider<JsonMapper> jsonMapper) {
        JsonMapper json = jsonMapper.getIfAvailable(() -> JsonMapper.builder().build());
        CoordinatorToken token = props.coordinatorTokenFile() != null && !props.coordinatorTokenFile().isBlank()
                ? CoordinatorToken.fromFile(Path.of(props.coordinatorTokenFile()))
                : CoordinatorToken.fixed(props.coordinatorToken());
        HttpCoordinatorClient client = new HttpCoordinatorClient(props.coordinatorUrl(), id.value(), token, props.requestTimeout(), json);
        ListenerProperties.Breaker b = props.circuitBreaker();
        return new HeartbeatLoop(engine, client, id.value(), props.heartbeatInterval(), props.heartbeatExpediteDelay(),
                new HeartbeatLoop.BreakerSettings(b.slidingWindow(), b.minimumCalls(), b.failureRatePercent(), b.openWait()), clock);
    }

    @Bean
    ReplicaLifecycle replicaLifecycle(ListenerProperties props, ReplicaEngine engine, SinkFanOut pipeline,
                                      ObjectProvider<HeartbeatLoop> heartbeatLoop, ReplicaId id) {
        return new ReplicaLifecycle(props, engine, pipeline, heartbeatLoop.getIfAvailable(), staticMask(props), id);
    }

    /** The static mask, or null in coordinated mode; a bad cpulist stops the start with a clear message. */
    static CpuSet staticMask(ListenerProperties props) {
        if (props.staticMask() == null || props.staticMask().isBlank()) return null;
        try {
            return CpulistParser.parse(props.staticMask(), CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            throw new IllegalArgumentException("tsfleet.listener.static-mask '" + props.staticMask() + "' is not a valid cpulist: "
                    + e.getMessage(), e);
        }
    }

    @Bean
    ReplicaHealthIndicator replicaHealthIndicator(ReplicaEngine engine) {
        return new ReplicaHealthIndicator(engine);
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    /** The resolved replica id. */
    public record ReplicaId(String value) {
    }
}
