package io.tsfleet.listener.sink;

import io.tsfleet.listener.record.ExitRecordView;
import io.tsfleet.listener.record.RecordScope;
import io.tsfleet.protocol.taskstats.TaskstatsField;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Encodes one record as one line of JSON into a reused byte array, without allocating per record. The object is
 * (docs/listener-service.md, "JSON lines"): {@code cpu}, {@code seq}, {@code pid}, {@code tgid}, {@code comm}, {@code exitcode},
 * {@code replica}, {@code node} and {@code boot_id} (the record's {@link io.tsfleet.listener.record.RecordOrigin}: the
 * broker's node and its current boot, {@code null} when the broker did not report them; encoded once per connection,
 * copied here), {@code time} (the exit time, RFC 3339 UTC with nanoseconds, {@code null} when unknown) and {@code scope}
 * ({@code thread}, {@code process} or {@code group}: {@link RecordScope}), then every field of {@code struct taskstats}
 * under its C name in struct order ({@code ac_comm} as a string, {@code ac_pad} as an array of its three bytes,
 * integers unsigned), and, when the event carries the thread group aggregate (1172-byte events), the same struct fields
 * of the aggregate in a nested {@code tgid_stats} object. A field beyond the end of an older, shorter struct is
 * {@code null}. Strings are the kernel's bytes: valid UTF-8 is kept, invalid bytes become U+FFFD, control characters
 * are escaped.
 *
 * <p>Written for speed (it is most of a JSON-lines replica's work per record): the room a line can need at most is
 * made once per record, the struct's integers are read straight from the receive batch's array, member names and
 * digits are stored eight bytes at a time, and the date and time of day of {@code time} are formatted once per second.
 */
public final class JsonLineEncoder {
    private static final VarHandle U16 = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U32 = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle U64 = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    /** Stores eight bytes at once: how the members' names are copied (a call of System.arraycopy per name costs more). */
    private static final VarHandle WORD = U64;

    private static final TaskstatsField[] FIELDS = TaskstatsField.values();
    private static final int KIND_NUMBER = 0;
    private static final int KIND_COMM = 1;
    private static final int KIND_PAD = 2;
    /** {@code ,"<c name>":} of every field in struct order. */
    private static final byte[][] MEMBERS = new byte[FIELDS.length][];
    /**
     * {@link #MEMBERS} as four little-endian words of eight bytes each (32 bytes, every name fits), padded: a name is
     * copied with four stores, without a loop; what the padding puts beyond the name is overwritten next.
     */
    private static final long[] MEMBER_WORDS = new long[4 * FIELDS.length];
    private static final int[] OFFSET = new int[FIELDS.length];
    private static final int[] SIZE = new int[FIELDS.length];
    private static final int[] END = new int[FIELDS.length];
    private static final int[] KIND = new int[FIELDS.length];
    /** The most bytes one struct's members can take (every value at its longest). */
    private static final int STRUCT_BOUND;
    /** The most bytes a quoted {@code ac_comm} can take: every byte escaped to 6. */
    private static final int COMM_BOUND = 2 + 6 * TaskstatsField.AC_COMM.size();
    private static final int STRUCT_MAX_END;

    private static final byte[] NULL = ascii("null");
    private static final byte[] CPU = ascii("{\"cpu\":");
    private static final byte[] SEQ = ascii(",\"seq\":");
    private static final byte[] PID = ascii(",\"pid\":");
    private static final byte[] TGID = ascii(",\"tgid\":");
    private static final byte[] COMM = ascii(",\"comm\":");
    private static final byte[] EXITCODE = ascii(",\"exitcode\":");
    private static final byte[] REPLICA = ascii(",\"replica\":");
    private static final byte[] TIME = ascii(",\"time\":");
    private static final byte[] TGID_STATS = ascii(",\"tgid_stats\":{");
    private static final byte[][] SCOPES = new byte[RecordScope.values().length][];
    private static final byte[] REPLACEMENT = ascii("\\ufffd");
    private static final byte[] HEX = ascii("0123456789abcdef");
    /** Both digits of 0..99: {@code PAIRS[2n]}, {@code PAIRS[2n + 1]}. */
    private static final byte[] PAIRS = new byte[200];
    /** 10^0 .. 10^18. */
    private static final long[] POWERS_OF_TEN = new long[19];
    /** Bytes of a string that are copied as they are: printable ASCII except {@code "} and {@code \}. */
    private static final boolean[] PLAIN = new boolean[256];
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    /** The head before {@code replica} and the members between it and the struct, at their longest (without comm). */
    private static final int HEAD_BOUND = 256;

    static {
        int bound = 0;
        int maxEnd = 0;
        for (TaskstatsField f : FIELDS) {
            int i = f.ordinal();
            MEMBERS[i] = ascii(",\"" + f.cName() + "\":");
            if (MEMBERS[i].length > 32) throw new IllegalStateException("member name longer than 32 bytes: " + f);
            System.arraycopy(words(Arrays.copyOf(MEMBERS[i], 32)), 0, MEMBER_WORDS, 4 * i, 4);
            OFFSET[i] = f.offset();
            SIZE[i] = f.size();
            END[i] = f.end();
            KIND[i] = f == TaskstatsField.AC_COMM ? KIND_COMM : f == TaskstatsField.AC_PAD ? KIND_PAD : KIND_NUMBER;
            int value = KIND[i] == KIND_COMM ? COMM_BOUND : KIND[i] == KIND_PAD ? 2 + 4 * f.size() : 20;
            bound += MEMBERS[i].length + value;
            maxEnd = Math.max(maxEnd, f.end());
        }
        STRUCT_BOUND = bound + 2 + 32; // + 32: the padding of the last name copied
        STRUCT_MAX_END = maxEnd;
        for (RecordScope s : RecordScope.values()) SCOPES[s.ordinal()] = ascii(",\"scope\":\"" + s.jsonName() + "\"");
        for (int n = 0; n < 100; n++) {
            PAIRS[2 * n] = (byte) ('0' + n / 10);
            PAIRS[2 * n + 1] = (byte) ('0' + n % 10);
        }
        POWERS_OF_TEN[0] = 1;
        for (int d = 1; d < POWERS_OF_TEN.length; d++) POWERS_OF_TEN[d] = POWERS_OF_TEN[d - 1] * 10;
        for (int b = 0x20; b < 0x7F; b++) PLAIN[b] = b != '"' && b != '\\';
    }

    private final byte[] replicaJson;
    /** The struct's bytes when the view's buffer has no accessible array (a direct buffer). */
    private final byte[] copy = new byte[STRUCT_MAX_END];
    /** {@code "YYYY-MM-DDTHH:MM:SS.} of {@link #cachedSecond}. */
    private final byte[] secondPrefix = new byte[21];
    private long cachedSecond = Long.MIN_VALUE;
    private byte[] out = new byte[8192];
    private int size;

    public JsonLineEncoder(String replicaId) {
        this.replicaJson = quote(replicaId);
    }

    /** Encodes the record and a trailing newline; the result is {@link #bytes()}[0 .. {@link #size()}). */
    public void encode(ExitRecordView r) {
        byte[] origin = r.origin().jsonMembers();
        int bound = HEAD_BOUND + COMM_BOUND + replicaJson.length + origin.length + 2 * STRUCT_BOUND;
        if (bound > out.length) out = Arrays.copyOf(out, Math.max(out.length * 2, bound));
        byte[] o = out;

        // the PID record's struct as bytes: the batch's own array when it has one, else a copy
        ByteBuffer buf = r.buffer();
        int statsLength = r.statsLength();
        byte[] s;
        int at;
        if (buf.hasArray()) {
            s = buf.array();
            at = buf.arrayOffset() + r.pidStatsOffset();
        } else {
            s = copy;
            at = 0;
            buf.get(r.pidStatsOffset(), copy, 0, Math.min(statsLength, copy.length));
        }

        int p = put(o, 0, CPU);
        p = unsigned(o, p, r.cpu());
        p = put(o, p, SEQ);
        p = unsigned(o, p, r.seq());
        p = put(o, p, PID);
        p = unsigned(o, p, r.pid());
        p = put(o, p, TGID);
        long tgid = r.tgid();
        p = tgid < 0 ? put(o, p, NULL) : unsigned(o, p, tgid);
        p = put(o, p, COMM);
        p = commString(o, p, s, at, statsLength);
        p = put(o, p, EXITCODE);
        p = TaskstatsField.AC_EXITCODE.end() <= statsLength
                ? unsigned(o, p, Integer.toUnsignedLong((int) U32.get(s, at + TaskstatsField.AC_EXITCODE.offset())))
                : put(o, p, NULL);
        p = put(o, p, REPLICA);
        p = put(o, p, replicaJson);
        o[p++] = ',';
        p = put(o, p, origin);
        p = put(o, p, TIME);
        p = time(o, p, r.timeEpochNanos());
        p = put(o, p, SCOPES[r.scope().ordinal()]);
        p = struct(o, p, s, at, statsLength, false);

        if (r.hasTgidAggregate()) {
            int tgidLength = r.tgidStatsLength();
            if (buf.hasArray()) {
                s = buf.array();
                at = buf.arrayOffset() + r.tgidStatsOffset();
            } else {
                s = copy;
                at = 0;
                buf.get(r.tgidStatsOffset(), copy, 0, Math.min(tgidLength, copy.length));
            }
            p = put(o, p, TGID_STATS);
            p = struct(o, p, s, at, tgidLength, true);
            o[p++] = '}';
        }
        o[p++] = '}';
        o[p++] = '\n';
        size = p;
    }

    public byte[] bytes() {
        return out;
    }

    public int size() {
        return size;
    }

    /**
     * Every struct field as a member. In a nested object ({@code nested}: right after its {@code {}) the first member
     * has no comma: its name is copied over the brace, which is then put back.
     */
    private static int struct(byte[] o, int p, byte[] s, int at, int length, boolean nested) {
        if (nested) p--;
        for (int i = 0; i < FIELDS.length; i++) {
            WORD.set(o, p, MEMBER_WORDS[4 * i]);
            WORD.set(o, p + 8, MEMBER_WORDS[4 * i + 1]);
            WORD.set(o, p + 16, MEMBER_WORDS[4 * i + 2]);
            WORD.set(o, p + 24, MEMBER_WORDS[4 * i + 3]);
            if (nested && i == 0) o[p] = '{';
            p += MEMBERS[i].length;
            if (END[i] > length) {
                p = put(o, p, NULL);
                continue;
            }
            int from = at + OFFSET[i];
            switch (KIND[i]) {
                case KIND_NUMBER -> {
                    switch (SIZE[i]) {
                        case 8 -> p = unsigned(o, p, (long) U64.get(s, from));
                        case 4 -> p = unsigned(o, p, Integer.toUnsignedLong((int) U32.get(s, from)));
                        case 2 -> p = unsigned(o, p, Short.toUnsignedInt((short) U16.get(s, from)));
                        default -> p = unsigned(o, p, Byte.toUnsignedInt(s[from]));
                    }
                }
                case KIND_COMM -> p = commString(o, p, s, at, length);
                default -> {
                    o[p++] = '[';
                    for (int k = 0; k < SIZE[i]; k++) {
                        if (k > 0) o[p++] = ',';
                        p = unsigned(o, p, Byte.toUnsignedInt(s[from + k]));
                    }
                    o[p++] = ']';
                }
            }
        }
        return p;
    }

    /** {@code ac_comm} up to its first NUL as a JSON string ({@code ""} when the struct is too short to have it). */
    private static int commString(byte[] o, int p, byte[] s, int at, int structLength) {
        o[p++] = '"';
        if (TaskstatsField.AC_COMM.end() <= structLength) {
            int from = at + TaskstatsField.AC_COMM.offset();
            int max = from + TaskstatsField.AC_COMM.size();
            int end = from;
            boolean plain = true;
            while (end < max) {
                int b = s[end] & 0xFF;
                if (b == 0) break;
                plain &= PLAIN[b];
                end++;
            }
            if (plain) {
                System.arraycopy(s, from, o, p, end - from);
                p += end - from;
            } else {
                p = escaped(o, p, s, from, end);
            }
        }
        o[p++] = '"';
        return p;
    }

    /** The kernel's bytes: valid UTF-8 kept, invalid bytes as U+FFFD, {@code "}, {@code \} and control characters escaped. */
    private static int escaped(byte[] o, int p, byte[] s, int i, int n) {
        while (i < n) {
            int b = s[i] & 0xFF;
            if (b < 0x80) {
                if (b == '"' || b == '\\') {
                    o[p++] = '\\';
                    o[p++] = (byte) b;
                } else if (b < 0x20 || b == 0x7F) {
                    o[p++] = '\\';
                    o[p++] = 'u';
                    o[p++] = '0';
                    o[p++] = '0';
                    o[p++] = HEX[b >> 4];
                    o[p++] = HEX[b & 0xF];
                } else {
                    o[p++] = (byte) b;
                }
                i++;
                continue;
            }
            int len = b >= 0xF0 && b <= 0xF4 ? 4 : b >= 0xE0 ? 3 : b >= 0xC2 && b <= 0xDF ? 2 : 0;
            boolean valid = len > 0 && i + len <= n;
            for (int k = 1; valid && k < len; k++) valid = (s[i + k] & 0xC0) == 0x80;
            if (valid) {
                System.arraycopy(s, i, o, p, len);
                p += len;
                i += len;
            } else {
                p = put(o, p, REPLACEMENT);
                i++;
            }
        }
        return p;
    }

    /** The exit time as {@code "YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ"} (UTC), or {@code null} for 0 (unknown). */
    private int time(byte[] o, int p, long epochNanos) {
        if (epochNanos == 0) return put(o, p, NULL);
        long second = Math.floorDiv(epochNanos, NANOS_PER_SECOND);
        int nano = (int) Math.floorMod(epochNanos, NANOS_PER_SECOND);
        if (second != cachedSecond) {
            formatSecond(second);
            cachedSecond = second;
        }
        p = put(o, p, secondPrefix);
        // nine digits: 0..999,999,999, with leading zeros
        int hi = nano / 10_000_000; // two digits
        int rest = nano - hi * 10_000_000;
        o[p++] = PAIRS[2 * hi];
        o[p++] = PAIRS[2 * hi + 1];
        int m = rest / 100_000;
        rest -= m * 100_000;
        o[p++] = PAIRS[2 * m];
        o[p++] = PAIRS[2 * m + 1];
        m = rest / 1_000;
        rest -= m * 1_000;
        o[p++] = PAIRS[2 * m];
        o[p++] = PAIRS[2 * m + 1];
        m = rest / 10;
        o[p++] = PAIRS[2 * m];
        o[p++] = PAIRS[2 * m + 1];
        o[p++] = (byte) ('0' + rest - m * 10);
        o[p++] = 'Z';
        o[p++] = '"';
        return p;
    }

    /** {@link #secondPrefix} for a second since the epoch: the proleptic Gregorian calendar (days to civil date). */
    private void formatSecond(long second) {
        long days = Math.floorDiv(second, 86_400L);
        int secondOfDay = (int) Math.floorMod(second, 86_400L);
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long dayOfEra = z - era * 146_097;
        long yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
        long dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
        long mp = (5 * dayOfYear + 2) / 153;
        int day = (int) (dayOfYear - (153 * mp + 2) / 5 + 1);
        int month = (int) (mp < 10 ? mp + 3 : mp - 9);
        int year = (int) (yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
        byte[] b = secondPrefix;
        b[0] = '"';
        b[1] = PAIRS[2 * (year / 100)];
        b[2] = PAIRS[2 * (year / 100) + 1];
        b[3] = PAIRS[2 * (year % 100)];
        b[4] = PAIRS[2 * (year % 100) + 1];
        b[5] = '-';
        b[6] = PAIRS[2 * month];
        b[7] = PAIRS[2 * month + 1];
        b[8] = '-';
        b[9] = PAIRS[2 * day];
        b[10] = PAIRS[2 * day + 1];
        b[11] = 'T';
        int hour = secondOfDay / 3600;
        int minute = secondOfDay / 60 % 60;
        int sec = secondOfDay % 60;
        b[12] = PAIRS[2 * hour];
        b[13] = PAIRS[2 * hour + 1];
        b[14] = ':';
        b[15] = PAIRS[2 * minute];
        b[16] = PAIRS[2 * minute + 1];
        b[17] = ':';
        b[18] = PAIRS[2 * sec];
        b[19] = PAIRS[2 * sec + 1];
        b[20] = '.';
    }

    /**
     * A u64 held in a long (values above 2^63 are negative) in decimal. Up to eight digits at a time
     * ({@link #eightDigits}), each group stored as one word; the bytes a word puts beyond the number's end are
     * overwritten by what follows (the room made per record leaves space for them).
     */
    private static int unsigned(byte[] o, int p, long v) {
        if (v >= 0 && v < 10) {
            o[p] = (byte) ('0' + v);
            return p + 1;
        }
        if (v < 0 || v >= 10_000_000_000_000_000L) return long17to20(o, p, v);
        int d = digits(v);
        if (d <= 8) {
            WORD.set(o, p, eightDigits((int) v) >>> (8 * (8 - d)));
            return p + d;
        }
        long hi = v / 100_000_000L;
        int lead = d - 8;
        WORD.set(o, p, eightDigits((int) hi) >>> (8 * (8 - lead)));
        WORD.set(o, p + lead, eightDigits((int) (v - hi * 100_000_000L)));
        return p + d;
    }

    /** 17 to 20 digits (a u64 of 10^16 and above; above 2^63 it is negative here): rare, so out of the hot method. */
    private static int long17to20(byte[] o, int p, long v) {
        long top = Long.divideUnsigned(v, 10_000_000_000_000_000L); // 1 .. 1844
        long rest = v - top * 10_000_000_000_000_000L;
        long mid = rest / 100_000_000L;
        int lead = digits(top);
        WORD.set(o, p, eightDigits((int) top) >>> (8 * (8 - lead)));
        WORD.set(o, p + lead, eightDigits((int) mid));
        WORD.set(o, p + lead + 8, eightDigits((int) (rest - mid * 100_000_000L)));
        return p + lead + 16;
    }

    /**
     * The eight decimal digits of {@code 0 <= x < 10^8} (with leading zeros) as ASCII in a little-endian word, the
     * most significant digit in the lowest byte: split into halves of four digits, pairs and single digits in all lanes
     * at once with multiplications by reciprocals (exact in these ranges).
     */
    static long eightDigits(int x) {
        long hi = x / 10_000;
        long merged = hi | (x - hi * 10_000) << 32; // two 32-bit lanes of 0..9999
        long top = ((merged * 10_486L) >>> 20) & (0x7FL << 32 | 0x7FL); // / 100 in each lane
        long hundreds = (merged - 100L * top) << 16 | top; // four 16-bit lanes of 0..99, most significant first
        long tens = ((hundreds * 103L) >>> 10) & (0xFL << 48 | 0xFL << 32 | 0xFL << 16 | 0xFL); // / 10 in each lane
        tens += (hundreds - 10L * tens) << 8; // eight bytes of 0..9
        return tens + 0x3030_3030_3030_3030L;
    }

    /** Decimal digits of a positive long: from its bit length (times log10 2), then one comparison. */
    private static int digits(long v) {
        int d = (64 - Long.numberOfLeadingZeros(v)) * 1233 >>> 12;
        return v >= POWERS_OF_TEN[d] ? d + 1 : d;
    }

    private static long[] words(byte[] b) {
        byte[] padded = Arrays.copyOf(b, (b.length + 7) / 8 * 8);
        long[] w = new long[padded.length / 8];
        for (int k = 0; k < w.length; k++) w[k] = (long) U64.get(padded, 8 * k);
        return w;
    }

    private static int put(byte[] o, int p, byte[] b) {
        System.arraycopy(b, 0, o, p, b.length);
        return p + b.length;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    private static byte[] quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') sb.append('\\').append(c);
            else if (c < 0x20) sb.append(String.format("\\u%04x", (int) c));
            else sb.append(c);
        }
        return sb.append('"').toString().getBytes(StandardCharsets.UTF_8);
    }
}
