package io.tsfleet.emulator.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.List;

/** {@code PUT /api/v1/workload} and its answer. Every time in it is at most {@link #MAX_MS} (7 days). */
public record WorkloadBody(
        @NotNull @DecimalMin("0") @DecimalMax("1000000") Double baseRate,
        String hotCpus,
        @DecimalMin("1") @DecimalMax("10000") Double hotFactor,
        @Size(max = 1000) List<@Valid @NotNull BurstBody> bursts,
        @Valid MovingBody moving,
        Long seed,
        Boolean running) {

    /** The longest time a body may name, in ms: {@link io.tsfleet.emulator.emulated.workload.WorkloadPlan#MAX_DURATION} (7 days). */
    public static final long MAX_MS = 604_800_000L;

    /** A temporary rate multiplier on some CPUs, counted from when the plan is applied. */
    public record BurstBody(@NotNull String cpus, @NotNull @DecimalMin("0") @DecimalMax("10000") Double factor,
                            @NotNull @Min(0) @Max(MAX_MS) Long startAfterMs, @NotNull @Min(1) @Max(MAX_MS) Long durationMs) {
    }

    /** A window of hot CPUs that sweeps the machine once per period. */
    public record MovingBody(@NotNull @Min(1) @Max(8192) Integer width, @NotNull @DecimalMin("1") @DecimalMax("10000") Double factor,
                             @NotNull @Min(100) @Max(MAX_MS) Long periodMs) {
    }
}
