package io.tsfleet.emulator.live;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The init container's switch, on a temporary file standing in for /proc/sys/kernel/task_delayacct. */
class DelayAccountingSwitchTest {
    @TempDir
    Path dir;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();

    private int enable(Path file) {
        return DelayAccountingSwitch.enable(file, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Test
    void offIsTurnedOnAndReadBack() throws Exception {
        Path file = Files.writeString(dir.resolve("task_delayacct"), "0\n");
        assertThat(enable(file)).isZero();
        assertThat(Files.readString(file).strip()).isEqualTo("1");
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("turned on");
    }

    @Test
    void onStaysOnWithoutAWrite() throws Exception {
        Path file = Files.writeString(dir.resolve("task_delayacct"), "1\n");
        file.toFile().setReadOnly();
        assertThat(enable(file)).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("already on");
    }

    @Test
    void aSwitchThatCannotBeWrittenFailsWithTheReason() throws Exception {
        Path missingDir = dir.resolve("no-such-dir").resolve("task_delayacct");
        assertThat(enable(missingDir)).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).contains("cannot write 1", "privileged");
    }
}
