package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@link FleetCounters} from the Prometheus endpoints of one emulator and its replicas, all scraped concurrently.
 * Metric names are the fleet's fixed ones (docs/operations.md: {@code tsfleet_broker_exits_total}, {@code
 * tsfleet_broker_events_dropped_total}, {@code tsfleet_listener_records_total}, {@code
 * tsfleet_listener_records_lost_total}) plus the emulator's {@code tsfleet_broker_workload_lagged_exits_total},
 * {@code tsfleet_broker_sent_bytes_total} and {@code tsfleet_broker_sent_writes_total}. Broker drops
 * count the {@code rcvbuf_full} and {@code congested} reasons: {@code connection_refused} is the lazy removal of a closed
 * connection's entries (a replica of an earlier configuration that is gone), not the loss of a record anyone wanted.
 */
public final class FleetGauge {
    private static final String DROPPED = "tsfleet_broker_events_dropped_total";
    private final Http http;
    private final URI emulator;
    private final List<URI> replicas;

    public FleetGauge(Http http, URI emulatorPrometheus, List<URI> replicaPrometheus) {
        if (replicaPrometheus.isEmpty()) throw new IllegalArgumentException("a fleet needs at least one replica");
        this.http = http;
        this.emulator = emulatorPrometheus;
        this.replicas = List.copyOf(replicaPrometheus);
    }

    public FleetCounters sample() throws IOException, InterruptedException {
        List<URI> all = new ArrayList<>();
        all.add(emulator);
        all.addAll(replicas);
        long before = System.nanoTime();
        List<String> bodies = http.getAll(all);
        long after = System.nanoTime();
        PrometheusSamples e = PrometheusSamples.parse(bodies.getFirst());
        double records = 0;
        double lost = 0;
        for (String body : bodies.subList(1, bodies.size())) {
            PrometheusSamples r = PrometheusSamples.parse(body);
            records += r.sum("tsfleet_listener_records_total");
            lost += r.sum("tsfleet_listener_records_lost_total");
        }
        return new FleetCounters(before + (after - before) / 2, e.sum("tsfleet_broker_exits_total"),
                e.sum(DROPPED, "reason=\"rcvbuf_full\"") + e.sum(DROPPED, "reason=\"congested\""), e.sum("tsfleet_broker_workload_lagged_exits_total"), records, lost,
                e.sum("tsfleet_broker_sent_bytes_total"), e.sum("tsfleet_broker_sent_writes_total"));
    }
}
