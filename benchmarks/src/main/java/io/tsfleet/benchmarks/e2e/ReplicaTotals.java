package io.tsfleet.benchmarks.e2e;

import io.tsfleet.testing.Http;
import java.io.IOException;
import java.net.URI;
import java.util.List;

/** Records, records lost and ENOBUFS episodes summed over replicas, from their Prometheus endpoints. */
record ReplicaTotals(double records, double lost, double enobufs) {

    static ReplicaTotals read(Http http, List<URI> prometheus) throws IOException, InterruptedException {
        double r = 0, l = 0, e = 0;
        for (String body : http.getAll(prometheus)) {
            PrometheusSamples s = PrometheusSamples.parse(body);
            r += s.sum("tsfleet_listener_records_total");
            l += s.sum("tsfleet_listener_records_lost_total");
            e += s.sum("tsfleet_listener_enobufs_total");
        }
        return new ReplicaTotals(r, l, e);
    }

    ReplicaTotals minus(ReplicaTotals o) {
        return new ReplicaTotals(records - o.records, lost - o.lost, enobufs - o.enobufs);
    }
}
