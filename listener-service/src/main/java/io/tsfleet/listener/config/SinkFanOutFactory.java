package io.tsfleet.listener.config;

import io.tsfleet.listener.engine.RecordObserver;
import io.tsfleet.listener.engine.SinkCounters;
import io.tsfleet.listener.engine.SinkFanOut;
import io.tsfleet.listener.engine.SinkPipeline;
import io.tsfleet.listener.engine.SinkPolicy;
import io.tsfleet.listener.sink.RecordSink;
import io.tsfleet.listener.sink.RecordSinkFactory;
import io.tsfleet.listener.sink.SinkContext;
import io.tsfleet.listener.sink.SinkList;
import io.tsfleet.listener.sink.SinkSpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.LongSupplier;

/**
 * Opens the sinks of {@code tsfleet.listener.sink} (a comma-separated list), one {@link SinkPipeline} each with the
 * options every sink has ({@value #WHEN_SLOW}, {@value #QUEUE}, {@value #PROCESSES_ONLY}; {@code max-records-per-second}
 * is applied by the {@link RecordSinkFactory}), behind one {@link SinkFanOut}. A bad list or option stops the start with
 * a message that names the sink; sinks opened before the bad one are closed again.
 */
public final class SinkFanOutFactory {
    public static final String WHEN_SLOW = "when-slow";
    public static final String QUEUE = "queue";
    public static final String PROCESSES_ONLY = "processes-only";
    private static final Logger log = LoggerFactory.getLogger(SinkFanOutFactory.class);

    private SinkFanOutFactory() {
    }

    /**
     * @param defaultQueueBytes the queue of a sink without its own {@value #QUEUE} option ({@code tsfleet.listener.sink-queue})
     * @param observer          sees every record once: given to the first {@code block} sink (whose batches the readers
     *                          fill, so it sees every record), else to the first sink
     */
    public static SinkFanOut open(RecordSinkFactory factory, String list, Map<String, String> options, String replicaId,
                                  long defaultQueueBytes, int batchBytes, RecordObserver observer, LongSupplier nanoTime) throws IOException {
        List<SinkSpec> specs = factory.parse(list, options);
        Set<String> unused = SinkList.unusedScopedOptions(specs, options, factory.schemes());
        if (!unused.isEmpty()) log.warn("sink options {} are for sinks that are not in tsfleet.listener.sink='{}': ignored", unused, list);
        List<SinkPolicy> policies = new ArrayList<>();
        List<Integer> batches = new ArrayList<>();
        for (SinkSpec spec : specs) { // every option is checked before any sink is opened
            SinkContext own = new SinkContext(replicaId, spec.options());
            try {
                policies.add(new SinkPolicy(SinkPolicy.WhenSlow.parse(own.stringOption(WHEN_SLOW, "block")),
                        own.booleanOption(PROCESSES_ONLY, false)));
                long queue = own.sizeOption(QUEUE, defaultQueueBytes, batchBytes);
                batches.add((int) Math.min(Integer.MAX_VALUE, Math.max(1, queue / batchBytes)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("sink '" + spec + "': " + e.getMessage(), e);
            }
        }
        int observed = 0;
        for (int i = policies.size() - 1; i >= 0; i--) if (policies.get(i).whenSlow() == SinkPolicy.WhenSlow.BLOCK) observed = i;
        List<SinkPipeline> pipelines = new ArrayList<>();
        try {
            for (int i = 0; i < specs.size(); i++) {
                SinkSpec spec = specs.get(i);
                SinkCounters counters = new SinkCounters();
                RecordSink sink = factory.open(spec, replicaId, counters);
                pipelines.add(new SinkPipeline(spec.scheme(), sink, policies.get(i), counters, batches.get(i), batchBytes,
                        i == observed ? observer : RecordObserver.NONE, nanoTime));
            }
        } catch (IOException | RuntimeException e) {
            for (SinkPipeline p : pipelines) {
                try {
                    p.close(java.time.Duration.ofSeconds(5));
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                }
            }
            throw e;
        }
        return new SinkFanOut(pipelines);
    }
}
