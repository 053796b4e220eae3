package io.tsfleet.emulator.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * {@code tsfleet.emulator.api.*}: who may change the emulator through its HTTP control API, and how much one request
 * may do.
 *
 * @param token          bearer token of the control API's writes ({@code POST /api/v1/exits}, {@code POST /api/v1/tasks},
 *                       {@code PUT /api/v1/workload}); unset or blank: writes are taken from loopback clients only
 * @param maxExitEvents  the most exit events one {@code POST /api/v1/exits} may cause ({@code count × threads}), which
 *                       also bounds its answer (one entry per event)
 * @param maxLiveTasks   the most live tasks (threads) the machine may hold for {@code POST /api/v1/tasks} to start more;
 *                       the pid space ({@code pid_max} 4,194,304) is shared with every exit
 * @param maxBodyBytes   the largest request body the control API reads (413 beyond a declared length)
 */
@Validated
@ConfigurationProperties("tsfleet.emulator.api")
public record ControlApiProperties(
        String token,
        @DefaultValue("10000") @Min(1) @Max(1_000_000) int maxExitEvents,
        @DefaultValue("65536") @Min(1) @Max(1_000_000) int maxLiveTasks,
        @DefaultValue("1048576") @Min(1024) @Max(64 << 20) int maxBodyBytes) {

    @Override
    public String toString() {
        return "ControlApiProperties[token=" + (tokenRequired() ? "(set)" : "(none)") + ", maxExitEvents=" + maxExitEvents
                + ", maxLiveTasks=" + maxLiveTasks + ", maxBodyBytes=" + maxBodyBytes + "]";
    }

    /** Whether writes need the token (a blank token counts as none). */
    public boolean tokenRequired() {
        return token != null && !token.isBlank();
    }
}
