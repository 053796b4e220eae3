package io.tsfleet.emulator.app;

import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import io.tsfleet.emulator.broker.NodeIdentity;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Every meter of this process carries {@code node}: the name of the node whose kernel the broker serves (the
 * {@link NodeIdentity} of the selected backend). An emulator or a kernel backend is one node, so the label has one
 * value per process and a fleet has as many as it has nodes, never one per CPU. Rules and dashboards aggregate and
 * filter the broker's and the node agent's series by it. Spring Boot applies {@link MeterFilter} beans to the registry
 * before any binder registers a meter.
 */
@Configuration(proxyBeanMethods = false)
class NodeMetricTag {

    @Bean
    MeterFilter nodeCommonTag(NodeIdentity node) {
        return MeterFilter.commonTags(Tags.of(MetricNames.NODE_TAG, node.name()));
    }
}
