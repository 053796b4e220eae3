package io.tsfleet.emulator.api;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import io.tsfleet.emulator.app.MetricNames;

import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/** {@code tsfleet_emulator_api_refused_total{reason}}: every request the control API refused before it did anything. */
public final class ControlApiRefusals implements MeterBinder {

    /** Why a request was refused. */
    public enum Reason {
        /** a write without a bearer token while one is configured */
        TOKEN_MISSING,
        /** a bearer token that is not the configured one (or one sent while none is configured) */
        TOKEN_INVALID,
        /** a write from a non-loopback client while no token is configured */
        NOT_LOOPBACK,
        /** a method and path the control API does not serve (deny by default) */
        DENIED,
        /** a path that is not in normal form (encoded slashes or dots, {@code ;}, {@code //}, {@code ..}) */
        MALFORMED_PATH,
        /** a request beyond a limit: events of one exit request, live tasks */
        LIMIT;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    private final Map<Reason, LongAdder> counters = new EnumMap<>(Reason.class);

    public ControlApiRefusals() {
        for (Reason r : Reason.values()) counters.put(r, new LongAdder());
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        counters.forEach((reason, count) -> FunctionCounter.builder(MetricNames.API_REFUSED, count, LongAdder::doubleValue)
                .description("Control API requests refused before they changed anything, by reason")
                .tag("reason", reason.tag()).register(registry));
    }

    public void count(Reason reason) {
        counters.get(reason).increment();
    }

    public double count(String reasonTag) {
        return counters.entrySet().stream().filter(e -> e.getKey().tag().equals(reasonTag)).mapToDouble(e -> e.getValue().doubleValue()).sum();
    }
}
