package io.tsfleet.emulator.api;

import io.swagger.v3.oas.annotations.media.Schema;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import java.util.Map;

/** {@code POST /api/v1/exits}: what exits now. Unset fields take generated values. */
@Schema(description = "Tasks to end now on one CPU")
public record ExitRequest(
        @NotNull @Min(0) @Schema(description = "CPU the tasks die on (must be possible)") Integer cpu,
        @Min(1) @Schema(description = "with tgid: the one thread of that live group that exits") Integer pid,
        @Min(1) @Schema(description = "a live group to end, or the id of a new group") Integer tgid,
        @Min(1) @Max(4096) @Schema(description = "threads of a new group (default 1); only the last one's event carries AGGR_TGID") Integer threads,
        @Min(0) @Max(255) @Schema(description = "_exit() status") Integer exitCode,
        @Min(1) @Max(64) @Schema(description = "killed by this signal instead") Integer signal,
        Boolean coreDumped,
        @Size(min = 1, max = 15) String comm,
        @Min(0) Integer uid,
        @Min(0) @Max(ExitRequest.MAX_LIFETIME_US) @Schema(description = "how long the tasks lived, at most 10 years") Long lifetimeUs,
        @Schema(description = "forked without exec (AFORK on the leader)") Boolean forked,
        @Schema(description = "struct taskstats values by C name, e.g. {\"cpu_delay_total\": 123456}") Map<String, Long> fields,
        @Min(1) @Max(10_000) @Schema(description = "how many such tasks (a batch; not with pid/tgid); count × threads is limited by "
                + "tsfleet.emulator.api.max-exit-events") Integer count) {

    /** Ten years in microseconds: a task's age must stay far from overflowing the nanosecond clock. */
    public static final long MAX_LIFETIME_US = 10L * 365 * 86_400 * 1_000_000;
}
