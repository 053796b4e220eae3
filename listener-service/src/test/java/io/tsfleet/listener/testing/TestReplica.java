package io.tsfleet.listener.testing;

import io.tsfleet.protocol.client.BrokerAddress;
import io.tsfleet.listener.domain.ReplicaTotals;
import io.tsfleet.listener.engine.ChannelSettings;
import io.tsfleet.listener.engine.EngineSettings;
import io.tsfleet.listener.engine.HandoverObserver;
import io.tsfleet.listener.engine.RecordObserver;
import io.tsfleet.listener.engine.ReplicaEngine;
import io.tsfleet.listener.engine.SinkPipeline;
import io.tsfleet.protocol.testing.FakeBroker;

import java.time.Clock;
import java.time.Duration;

/** A replica engine wired in-process (no Spring) against a broker, with a collecting sink. */
public final class TestReplica implements AutoCloseable {
    public final CollectingSink sink = new CollectingSink();
    public final ReplicaTotals totals = new ReplicaTotals();
    public final SinkPipeline pipeline;
    public final ReplicaEngine engine;

    public TestReplica(String broker, String token, int receiveBufferBytes, int sinkBatches, int holdback) {
        this(broker, token, receiveBufferBytes, sinkBatches, holdback, Clock.systemUTC());
    }

    /** With {@code clock} as the replica's wall clock (the records' exit time is read from it). */
    public TestReplica(String broker, String token, int receiveBufferBytes, int sinkBatches, int holdback, Clock clock) {
        pipeline = new SinkPipeline(sink, sinkBatches, 8192, RecordObserver.NONE, System::nanoTime);
        pipeline.start();
        ChannelSettings channel = new ChannelSettings(token, receiveBufferBytes, true, 8192,
                Duration.ofSeconds(2), Duration.ofMillis(20), Duration.ofMillis(200), 2.0, 0.5, holdback, Duration.ofSeconds(2));
        engine = new ReplicaEngine(new EngineSettings(channel, broker == null ? null : BrokerAddress.parse(broker), Wire.NODE, null,
                Duration.ofSeconds(30), 3, 0.5, 2, 1_000_000), pipeline, totals, clock, System::nanoTime, HandoverObserver.NONE);
    }

    /** A replica without a configured broker: it dials the brokers the directives name. */
    public static TestReplica withoutBroker() {
        return new TestReplica(null, null, 1 << 20, 64, 10_000);
    }

    public static TestReplica on(FakeBroker broker, String token) {
        return new TestReplica(broker.address(), token, 1 << 20, 64, 10_000);
    }

    @Override
    public void close() throws InterruptedException {
        engine.shutdown(Duration.ofSeconds(2));
        pipeline.close(Duration.ofSeconds(5));
    }
}
