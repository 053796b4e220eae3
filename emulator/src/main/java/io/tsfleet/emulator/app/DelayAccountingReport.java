package io.tsfleet.emulator.app;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.emulator.broker.DelayAccounting;
import org.springframework.boot.actuate.info.Info;
import org.springframework.boot.actuate.info.InfoContributor;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The backend's delay-accounting state as the gauge {@code tsfleet_broker_delay_accounting_enabled} (1 on, 0 off, NaN
 * unknown) and as {@code delayAccounting} in {@code /actuator/info} (with the remedy when it is not on).
 */
public final class DelayAccountingReport implements MeterBinder, InfoContributor {
    private final Supplier<DelayAccounting> state;
    private final Supplier<Instant> checkedAt;

    public DelayAccountingReport(Supplier<DelayAccounting> state, Supplier<Instant> checkedAt) {
        this.state = state;
        this.checkedAt = checkedAt;
    }

    /** The delay-accounting state now. */
    public DelayAccounting current() {
        return state.get();
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        Gauge.builder(MetricNames.DELAY_ACCOUNTING_ENABLED, this, r -> r.state.get().gaugeValue())
                .description("1 when the kernel fills the delay fields of taskstats records (kernel.task_delayacct=1), 0 when every "
                        + "delay is zero, NaN when the switch could not be read")
                .register(registry);
    }

    @Override
    public void contribute(Info.Builder builder) {
        DelayAccounting d = state.get();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("enabled", d.enabled());
        m.put("state", d.state().name().toLowerCase(java.util.Locale.ROOT));
        m.put("source", d.source());
        m.put("detail", d.detail());
        Instant at = checkedAt.get();
        if (at != null) m.put("checkedAt", at.toString());
        if (!d.enabled()) m.put("remedy", DelayAccounting.REMEDY);
        builder.withDetail("delayAccounting", m);
    }
}
