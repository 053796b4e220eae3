package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.DelayAccounting;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Watches the kernel's delay-accounting switch ({@code /proc/sys/kernel/task_delayacct}, Linux 5.14 and later). Most
 * kernels boot with it off, and then every delay field of a taskstats record is zero. {@link #check()} reads it (the
 * caller runs it at start and periodically); a WARN with the remedy is logged once per change to off or unreadable,
 * an INFO when it turns on.
 */
public final class DelayAccountingMonitor {
    private static final Logger log = LoggerFactory.getLogger(DelayAccountingMonitor.class);
    public static final Path PROC_FILE = Path.of("/proc/sys/kernel/task_delayacct");
    /** Far more than "0\n": anything longer is not the switch. */
    private static final long MAX_SIZE = 64;

    private final Path file;
    private final Clock clock;
    private volatile DelayAccounting current;
    private volatile Instant checkedAt;
    private ScheduledExecutorService checks;

    public DelayAccountingMonitor(Path file, Clock clock) {
        this.file = file;
        this.clock = clock;
    }

    /** Reads the switch, logs a change, and returns the new state. */
    public synchronized DelayAccounting check() {
        DelayAccounting previous = current;
        DelayAccounting now = read(file);
        current = now;
        checkedAt = clock.instant();
        if (previous == null || previous.state() != now.state()) {
            switch (now.state()) {
                case ENABLED -> log.info("delay accounting is on ({} = 1): taskstats records carry the task delays", file);
                case DISABLED -> log.warn("delay accounting is OFF ({} = 0): every delay field of the taskstats records is zero; to turn it on, {}",
                        file, DelayAccounting.REMEDY);
                case UNKNOWN -> log.warn("delay accounting state unknown: {}; if the task delays are all zero, {}", now.detail(), DelayAccounting.REMEDY);
            }
        }
        return now;
    }

    /** Checks now, then every {@code interval} on a daemon thread until {@link #close()}. */
    public synchronized void start(Duration interval) {
        check();
        if (checks != null) return;
        checks = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("delay-accounting-check").daemon().factory());
        checks.scheduleWithFixedDelay(this::check, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Stops the periodic checks. */
    public synchronized void close() {
        if (checks != null) checks.shutdownNow();
        checks = null;
    }

    /** The state of the last {@link #check()} (null before the first). */
    public DelayAccounting current() {
        return current;
    }

    /** When the last {@link #check()} ran (null before the first). */
    public Instant checkedAt() {
        return checkedAt;
    }

    public Path file() {
        return file;
    }

    /**
     * Reads the switch: "1" enabled, "0" disabled (surrounding white space ignored); a missing file (a kernel before
     * 5.14, where delay accounting is on unless booted with {@code nodelayacct}, or one without
     * {@code CONFIG_TASK_DELAY_ACCT}), an unreadable one or any other content is {@code UNKNOWN} with the reason.
     */
    public static DelayAccounting read(Path file) {
        String source = file.toString();
        try {
            if (Files.size(file) > MAX_SIZE) {
                return new DelayAccounting(DelayAccounting.State.UNKNOWN, source, source + " holds more than " + MAX_SIZE + " bytes: not a 0/1 switch");
            }
            String text = Files.readString(file, StandardCharsets.US_ASCII).strip();
            return switch (text) {
                case "1" -> new DelayAccounting(DelayAccounting.State.ENABLED, source, source + " = 1: delay accounting is on");
                case "0" -> new DelayAccounting(DelayAccounting.State.DISABLED, source, source + " = 0: every delay field is zero");
                default -> new DelayAccounting(DelayAccounting.State.UNKNOWN, source,
                        source + " holds '" + printable(text) + "', expected 0 or 1");
            };
        } catch (NoSuchFileException e) {
            return new DelayAccounting(DelayAccounting.State.UNKNOWN, source, source + " does not exist: a kernel before 5.14 (delay "
                    + "accounting on unless booted with nodelayacct) or one built without CONFIG_TASK_DELAY_ACCT");
        } catch (IOException | RuntimeException e) {
            return new DelayAccounting(DelayAccounting.State.UNKNOWN, source, "cannot read " + source + ": " + e);
        }
    }

    private static String printable(String text) {
        StringBuilder b = new StringBuilder();
        text.codePoints().limit(32).forEach(c -> b.append(c >= 0x20 && c < 0x7f ? Character.toString(c) : "?"));
        return b.toString();
    }
}
