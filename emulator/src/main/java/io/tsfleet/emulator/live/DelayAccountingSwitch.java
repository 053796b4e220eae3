package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.DelayAccounting;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns the kernel's delay accounting on, as {@code sysctl -w kernel.task_delayacct=1} does, without a shell or a
 * sysctl binary (the images have neither): {@code java -jar emulator.jar enable-delay-accounting}, run by the chart's
 * privileged init container when {@code kernelBackend.enableDelayAccounting=true}. Writes {@code 1} to the switch and
 * reads it back; the exit status is 0 only when it reads 1 afterwards.
 */
public final class DelayAccountingSwitch {
    private DelayAccountingSwitch() {
    }

    /** Writes 1 to {@code file}, reports to {@code out}/{@code err}, and returns the process exit status. */
    public static int enable(Path file, PrintStream out, PrintStream err) {
        DelayAccounting before = DelayAccountingMonitor.read(file);
        if (before.enabled()) {
            out.println("delay accounting is already on (" + file + " = 1)");
            return 0;
        }
        try {
            Files.writeString(file, "1\n", StandardCharsets.US_ASCII);
        } catch (IOException | RuntimeException e) {
            err.println("cannot write 1 to " + file + " (" + e + "): the container needs to be privileged (/proc/sys is read-only "
                    + "otherwise) and the kernel 5.14 or later with CONFIG_TASK_DELAY_ACCT; " + before.detail());
            return 1;
        }
        DelayAccounting after = DelayAccountingMonitor.read(file);
        if (!after.enabled()) {
            err.println("wrote 1 to " + file + " but it reads back: " + after.detail());
            return 1;
        }
        out.println("delay accounting turned on (" + file + " = 1; it was: " + before.detail() + ")");
        return 0;
    }
}
