package io.tsfleet.listener.sink.otlp;

import io.tsfleet.listener.sink.SinkContext;

import java.time.Duration;

/**
 * How the OTLP sink batches (sink options): at most {@code maxQueueSize} records wait for an export (a full queue makes
 * {@code write} wait: the pipeline's {@code when-slow} policy then applies), an export carries at most
 * {@code maxBatchSize} records and leaves at the latest {@code scheduleDelay} after its first record, and
 * {@code close} waits at most {@code closeTimeout} for the exports still outstanding.
 */
record OtlpBatching(int maxQueueSize, int maxBatchSize, Duration scheduleDelay, Duration closeTimeout) {
    static final int DEFAULT_MAX_QUEUE_SIZE = 8192;
    static final int DEFAULT_MAX_BATCH_SIZE = 512;
    static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofMillis(200);
    static final Duration DEFAULT_CLOSE_TIMEOUT = Duration.ofSeconds(10);

    OtlpBatching {
        if (maxQueueSize < 1 || maxBatchSize < 1) throw new IllegalArgumentException("queue and batch sizes must be at least 1");
        if (maxBatchSize > maxQueueSize) {
            throw new IllegalArgumentException("sink option max-batch-size=" + maxBatchSize + " is above max-queue-size=" + maxQueueSize);
        }
    }

    static OtlpBatching of(SinkContext context) {
        long queue = context.longOption("max-queue-size", DEFAULT_MAX_QUEUE_SIZE, 1);
        long batch = context.longOption("max-batch-size", Math.min(DEFAULT_MAX_BATCH_SIZE, queue), 1);
        if (queue > 1_000_000) throw new IllegalArgumentException("sink option max-queue-size=" + queue + " is above 1000000");
        return new OtlpBatching((int) queue, (int) Math.min(batch, Integer.MAX_VALUE),
                context.durationOption("schedule-delay", DEFAULT_SCHEDULE_DELAY, Duration.ZERO),
                context.durationOption("close-timeout", DEFAULT_CLOSE_TIMEOUT, Duration.ZERO));
    }
}
