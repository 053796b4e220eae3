package io.tsfleet.emulator.live;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.tsfleet.emulator.broker.DelayAccounting;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The delay-accounting switch read from a temporary file: on, off, missing, garbage; one WARN per change. */
class DelayAccountingMonitorTest {
    @TempDir
    Path dir;
    private Path file;
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final Logger logger = (Logger) LoggerFactory.getLogger(DelayAccountingMonitor.class);

    @BeforeEach
    void capture() {
        file = dir.resolve("task_delayacct");
        logs.start();
        logger.addAppender(logs);
    }

    @AfterEach
    void release() {
        logger.detachAppender(logs);
    }

    private List<ILoggingEvent> warnings() {
        return logs.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
    }

    @Test
    void oneAndZeroAreOnAndOff() throws Exception {
        Files.writeString(file, "1\n");
        DelayAccounting on = DelayAccountingMonitor.read(file);
        assertThat(on.state()).isEqualTo(DelayAccounting.State.ENABLED);
        assertThat(on.gaugeValue()).isEqualTo(1.0);
        Files.writeString(file, " 0 \n");
        DelayAccounting off = DelayAccountingMonitor.read(file);
        assertThat(off.state()).isEqualTo(DelayAccounting.State.DISABLED);
        assertThat(off.gaugeValue()).isEqualTo(0.0);
        assertThat(off.source()).isEqualTo(file.toString());
    }

    @Test
    void aMissingFileOrGarbageIsUnknownWithTheReasonNeverOnOrOff() throws Exception {
        DelayAccounting missing = DelayAccountingMonitor.read(file);
        assertThat(missing.state()).isEqualTo(DelayAccounting.State.UNKNOWN);
        assertThat(missing.gaugeValue()).isNaN();
        assertThat(missing.detail()).contains("does not exist", "5.14", "CONFIG_TASK_DELAY_ACCT");

        for (String garbage : new String[] {"2\n", "", "yes", "1 1", "\u0000\u0001"}) {
            Files.writeString(file, garbage);
            DelayAccounting d = DelayAccountingMonitor.read(file);
            assertThat(d.state()).as("'%s'", garbage).isEqualTo(DelayAccounting.State.UNKNOWN);
            assertThat(d.detail()).as("'%s'", garbage).contains("expected 0 or 1").doesNotContain("\u0000");
        }
        Files.writeString(file, "1".repeat(1000));
        assertThat(DelayAccountingMonitor.read(file).detail()).contains("not a 0/1 switch");

        Files.createDirectory(dir.resolve("a-directory"));
        DelayAccounting unreadable = DelayAccountingMonitor.read(dir.resolve("a-directory"));
        assertThat(unreadable.state()).isEqualTo(DelayAccounting.State.UNKNOWN);
    }

    @Test
    void theWarningWithTheRemedyIsLoggedOncePerChangeToOff() throws Exception {
        Instant t0 = Instant.parse("2026-12-06T06:00:00Z");
        DelayAccountingMonitor monitor = new DelayAccountingMonitor(file, Clock.fixed(t0, ZoneOffset.UTC));
        assertThat(monitor.current()).isNull();
        Files.writeString(file, "0\n");
        assertThat(monitor.check().state()).isEqualTo(DelayAccounting.State.DISABLED);
        monitor.check();
        monitor.check();
        assertThat(warnings()).hasSize(1);
        assertThat(warnings().getFirst().getFormattedMessage()).contains("OFF", "sysctl -w kernel.task_delayacct=1", "'delayacct'");
        assertThat(monitor.checkedAt()).isEqualTo(t0);

        Files.writeString(file, "1\n"); // someone ran sysctl
        assertThat(monitor.check().state()).isEqualTo(DelayAccounting.State.ENABLED);
        assertThat(monitor.current().enabled()).isTrue();
        assertThat(warnings()).hasSize(1);
        assertThat(logs.list.getLast().getFormattedMessage()).contains("delay accounting is on");

        Files.writeString(file, "0\n"); // turned off again: warned again, once
        monitor.check();
        monitor.check();
        assertThat(warnings()).hasSize(2);
    }

    @Test
    void startChecksAtOnceAndThenPeriodically() throws Exception {
        Files.writeString(file, "0\n");
        DelayAccountingMonitor monitor = new DelayAccountingMonitor(file, Clock.systemUTC());
        try {
            monitor.start(java.time.Duration.ofMillis(20));
            assertThat(monitor.current().state()).isEqualTo(DelayAccounting.State.DISABLED);
            Files.writeString(file, "1\n");
            long deadline = System.nanoTime() + 10_000_000_000L;
            while (!monitor.current().enabled() && System.nanoTime() < deadline) Thread.sleep(10);
            assertThat(monitor.current().enabled()).as("a later check sees the change").isTrue();
        } finally {
            monitor.close();
        }
    }
}
