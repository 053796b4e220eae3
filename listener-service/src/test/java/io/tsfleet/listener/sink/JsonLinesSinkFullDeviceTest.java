package io.tsfleet.listener.sink;

import io.tsfleet.listener.testing.Tmpfs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static io.tsfleet.listener.sink.JsonLinesSinkTest.record;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The JSON-lines sink on a real full device (a 64 KiB tmpfs, mounted as root; skipped otherwise): what it cannot write
 * it says, record by record; it never deletes a rotated file because of the failure; it writes again once there is
 * space; and its files hold complete lines only.
 */
class JsonLinesSinkFullDeviceTest {
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private Tmpfs tmpfs;

    @BeforeEach
    void mount() throws Exception {
        tmpfs = Tmpfs.mount("64k");
    }

    @AfterEach
    void unmount() throws Exception {
        if (tmpfs != null) tmpfs.close();
    }

    @Test
    void aFullDeviceLosesOnlyTheRecordsItReportsKeepsTheRotatedFilesAndWritesAgainOnceThereIsSpace() throws Exception {
        Path file = tmpfs.dir().resolve("records.jsonl");
        JsonLinesSink sink = new JsonLinesSink(file, "r", 8192, 3); // 5 records of 1373 bytes per file
        int seq = 0;
        for (; seq < 17; seq++) sink.write(record(seq % 4, seq, seq, "before", false));
        sink.flush();
        Map<String, List<Long>> rotated = new HashMap<>();
        for (int i = 1; i <= 3; i++) rotated.put("records.jsonl." + i, seqs(tmpfs.dir().resolve("records.jsonl." + i)));
        assertThat(rotated.get("records.jsonl.3")).containsExactly(0L, 1L, 2L, 3L, 4L);
        assertThat(tmpfs.fill()).isPositive();

        List<Integer> failed = new ArrayList<>();
        for (int i = 0; i < 20; i++, seq++) {
            try {
                sink.write(record(seq % 4, seq, seq, "full", false));
            } catch (IOException e) {
                assertThat(e).hasMessageContaining("No space left on device");
                failed.add(seq);
            }
            try {
                sink.flush();
            } catch (IOException e) {
                // what the device does not take stays buffered, and is tried again
            }
        }
        // the active file had room for 2 records in its buffer; the rotation due then could not hand them over
        assertThat(failed).isNotEmpty().hasSizeLessThan(20);
        for (var e : rotated.entrySet()) {
            assertThat(seqs(tmpfs.dir().resolve(e.getKey()))).as("%s while full", e.getKey()).isEqualTo(e.getValue());
        }
        assertOnlyCompleteLines();

        tmpfs.free();
        int firstAfter = seq;
        for (int i = 0; i < 3; i++, seq++) sink.write(record(seq % 4, seq, seq, "after", false));
        sink.close();
        assertOnlyCompleteLines();

        List<Long> written = new ArrayList<>();
        for (String name : List.of("records.jsonl.3", "records.jsonl.2", "records.jsonl.1", "records.jsonl")) {
            written.addAll(seqs(tmpfs.dir().resolve(name)));
        }
        assertThat(written).doesNotHaveDuplicates().isSorted();
        // one rotation after the space came back gave up the oldest file (seq 0-4); every other record is either in a
        // file or was reported as not written
        TreeSet<Long> expected = new TreeSet<>();
        for (long s = 5; s < seq; s++) if (!failed.contains((int) s)) expected.add(s);
        assertThat(written).containsExactlyElementsOf(expected);
        assertThat(written).contains((long) firstAfter, (long) seq - 1);
    }

    @Test
    void recordsStillBufferedWhenTheSinkClosesOnAFullDeviceAreReportedWithTheirCpus() throws Exception {
        Path file = tmpfs.dir().resolve("close.jsonl");
        JsonLinesSink sink = new JsonLinesSink(file, "r", 1 << 20, 3);
        for (int i = 0; i < 3; i++) sink.write(record(0, i, i, "ok", false));
        sink.flush();
        long before = Files.size(file);
        tmpfs.fill();
        int[] cpus = {1, 2, 3, 1};
        for (int i = 0; i < cpus.length; i++) sink.write(record(cpus[i], 10 + i, 10 + i, "kept", false));
        assertThatThrownBy(sink::flush).hasMessageContaining("No space left on device");
        assertThatThrownBy(sink::close).isInstanceOfSatisfying(RecordsLostException.class,
                e -> assertThat(e.cpus()).containsExactly(cpus));
        // the part of the failed write that the device took was cut off again: three complete lines
        assertThat(Files.size(file)).isEqualTo(before);
        assertThat(Files.readAllLines(file)).hasSize(3);
    }

    private static List<Long> seqs(Path file) throws IOException {
        List<Long> out = new ArrayList<>();
        for (String line : Files.readAllLines(file)) out.add(JSON.readTree(line).get("seq").asLong());
        return out;
    }

    private void assertOnlyCompleteLines() throws IOException {
        try (var files = Files.list(tmpfs.dir())) {
            for (Path p : files.filter(p -> p.getFileName().toString().startsWith("records.jsonl") || p.getFileName().toString().startsWith("close"))
                    .toList()) {
                byte[] bytes = Files.readAllBytes(p);
                if (bytes.length == 0) continue;
                assertThat(bytes[bytes.length - 1]).as("%s ends with a newline", p.getFileName()).isEqualTo((byte) '\n');
                for (String line : Files.readAllLines(p)) assertThat(JSON.readTree(line).has("seq")).as("%s: %s", p.getFileName(), line).isTrue();
            }
        }
    }
}
