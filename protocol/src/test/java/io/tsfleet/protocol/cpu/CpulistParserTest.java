package io.tsfleet.protocol.cpu;

import io.tsfleet.protocol.netlink.Errno;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The kernel's errno for each malformed cpulist (as recorded from Linux 6.18 with NR_CPUS 256, nr_cpu_ids 2) and the grammar at 8192 CPUs. */
class CpulistParserTest {
    private static final int NR_CPUS = 256;
    private static final int NR_CPU_IDS = 2;

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "0|0", "1|1", "0-1|0-1", "0,1|0-1", "1,0|0-1", "0-0|0", "1-1|1",
            "0-1:1/2|0", "0-1:1/1|0-1", "0-1:2/2|0-1", "all:1/2|0", "0-1:0/1|''",
            "all|0-1", "ALL|0-1", "0-N|0-1", "N|1", "''|''", ",|''", ",,|''",
            "' 0'|0", "'0 '|0", "'0 1'|0-1", "'0,,1'|0-1", "'0-1,'|0-1", "',0-1'|0-1", "01|1"})
    void acceptedWithNulTerminator(String list, String expected) throws Exception {
        assertThat(parseTerminated(list).toCpulist()).isEqualTo(expected);
    }

    @ParameterizedTest(name = "\"{0}\" -> {1}")
    @CsvSource(delimiter = '|', value = {
            "1-0|EINVAL", "N-0|EINVAL", "'1 - 0'|EINVAL", "0-1-|EINVAL", "0--1|EINVAL",
            "0-1:2/1|EINVAL", "0-1:1/0|EINVAL", "0:1/2|EINVAL",
            "al|EINVAL", "alll|EINVAL", "n|EINVAL", "x|EINVAL", "0-|EINVAL", "-1|EINVAL", "-|EINVAL", "0x1|EINVAL", "+1|EINVAL",
            "2|ERANGE", "5|ERANGE", "0-2|ERANGE", "0-63|ERANGE", "0-255|ERANGE", "255|ERANGE", "256|ERANGE", "0-8191|ERANGE",
            "4294967295|EINVAL", "4294967296|EOVERFLOW", "99999999999999999999|EOVERFLOW", "0-4294967296|EOVERFLOW"})
    void rejectedWithTheKernelsErrno(String list, Errno errno) {
        assertThatThrownBy(() -> parseTerminated(list))
                .isInstanceOfSatisfying(CpulistParseException.class, e -> assertThat(e.errno()).isEqualTo(errno));
    }

    @Test
    void newlineEndsTheListAndTabsSeparate() throws Exception {
        assertThat(parseTerminated("0\n1").toCpulist()).isEqualTo("0");
        assertThat(parseTerminated("\t0").toCpulist()).isEqualTo("0");
        assertThat(parseTerminated("0\n").toCpulist()).isEqualTo("0");
        assertThat(parseTerminated("\n").toCpulist()).isEmpty();
    }

    @Test
    void highBitByteIsNotASeparator() {
        byte[] payload = {'0', (byte) 0xFF, 0};
        assertThatThrownBy(() -> CpulistParser.parseAttribute(payload, NR_CPUS, NR_CPU_IDS))
                .isInstanceOfSatisfying(CpulistParseException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
    }

    @Test
    void payloadWithoutNulLosesItsLastByte() throws Exception {
        assertThat(raw("0").toCpulist()).isEmpty();
        assertThat(raw("1").toCpulist()).isEmpty();
        assertThatThrownBy(() -> raw("0-1")).isInstanceOfSatisfying(CpulistParseException.class,
                e -> assertThat(e.errno()).isEqualTo(Errno.EINVAL));
        assertThat(raw("0,1").toCpulist()).isEqualTo("0");
        assertThat(raw("10").toCpulist()).isEqualTo("1");
        assertThat(raw("0-1 ").toCpulist()).isEqualTo("0-1");
    }

    @Test
    void embeddedNulEndsTheString() throws Exception {
        assertThat(CpulistParser.parseAttribute(new byte[] {'0', 0, '1', 0}, NR_CPUS, NR_CPU_IDS).toCpulist()).isEqualTo("0");
    }

    @Test
    void lengthLimitIs100Plus6TimesNrCpus() throws Exception {
        int max = CpulistParser.maxAttributeLength(NR_CPUS);
        assertThat(max).isEqualTo(1636);
        byte[] atMax = new byte[max];
        Arrays.fill(atMax, (byte) ' ');
        atMax[max - 2] = '0';
        atMax[max - 1] = 0;
        assertThat(CpulistParser.parseAttribute(atMax, NR_CPUS, NR_CPU_IDS).toCpulist()).isEqualTo("0");
        byte[] unterminatedAtMax = new byte[max];
        Arrays.fill(unterminatedAtMax, (byte) ' ');
        unterminatedAtMax[max - 1] = '0';
        assertThat(CpulistParser.parseAttribute(unterminatedAtMax, NR_CPUS, NR_CPU_IDS).isEmpty()).isTrue();
        assertThatThrownBy(() -> CpulistParser.parseAttribute(new byte[max + 1], NR_CPUS, NR_CPU_IDS))
                .isInstanceOfSatisfying(CpulistParseException.class, e -> assertThat(e.errno()).isEqualTo(Errno.E2BIG));
        assertThatThrownBy(() -> CpulistParser.parseAttribute(new byte[0], NR_CPUS, NR_CPU_IDS))
                .isInstanceOfSatisfying(CpulistParseException.class, e -> assertThat(e.errno()).isEqualTo(Errno.ERANGE));
    }

    @Test
    void patternsAtScale() throws Exception {
        assertThat(CpulistParser.parse("0-8191:1/64", 8192).size()).isEqualTo(128);
        assertThat(CpulistParser.parse("9-38:4/10", 64).toCpulist()).isEqualTo("9-12,19-22,29-32");
        assertThat(CpulistParser.parse("all", 8192).toCpulist()).isEqualTo("0-8191");
        assertThat(CpulistParser.parse("N", 8192).toCpulist()).isEqualTo("8191");
    }

    private static CpuSet parseTerminated(String list) throws CpulistParseException {
        byte[] b = list.getBytes(StandardCharsets.ISO_8859_1);
        return CpulistParser.parseAttribute(Arrays.copyOf(b, b.length + 1), NR_CPUS, NR_CPU_IDS);
    }

    private static CpuSet raw(String list) throws CpulistParseException {
        return CpulistParser.parseAttribute(list.getBytes(StandardCharsets.ISO_8859_1), NR_CPUS, NR_CPU_IDS);
    }
}
