package io.tsfleet.protocol.taskstats;

/**
 * The fields of {@code struct taskstats} version 16 (x86_64, 560 bytes), with their C names, byte
 * offsets and sizes, as {@code include/uapi/linux/taskstats.h} lays them out. Integer fields are
 * unsigned little-endian; {@code ac_comm} is a 32-byte C string; {@code ac_pad} is padding.
 * Versions only ever append fields, so a shorter (older) struct simply lacks the later ones.
 */
public enum TaskstatsField {
    VERSION("version", 0, 2),
    AC_EXITCODE("ac_exitcode", 4, 4),
    AC_FLAG("ac_flag", 8, 1),
    AC_NICE("ac_nice", 9, 1),
    CPU_COUNT("cpu_count", 16, 8),
    CPU_DELAY_TOTAL("cpu_delay_total", 24, 8),
    BLKIO_COUNT("blkio_count", 32, 8),
    BLKIO_DELAY_TOTAL("blkio_delay_total", 40, 8),
    SWAPIN_COUNT("swapin_count", 48, 8),
    SWAPIN_DELAY_TOTAL("swapin_delay_total", 56, 8),
    CPU_RUN_REAL_TOTAL("cpu_run_real_total", 64, 8),
    CPU_RUN_VIRTUAL_TOTAL("cpu_run_virtual_total", 72, 8),
    AC_COMM("ac_comm", 80, 32),
    AC_SCHED("ac_sched", 112, 1),
    AC_PAD("ac_pad", 113, 3),
    AC_UID("ac_uid", 120, 4),
    AC_GID("ac_gid", 124, 4),
    AC_PID("ac_pid", 128, 4),
    AC_PPID("ac_ppid", 132, 4),
    AC_BTIME("ac_btime", 136, 4),
    AC_ETIME("ac_etime", 144, 8),
    AC_UTIME("ac_utime", 152, 8),
    AC_STIME("ac_stime", 160, 8),
    AC_MINFLT("ac_minflt", 168, 8),
    AC_MAJFLT("ac_majflt", 176, 8),
    COREMEM("coremem", 184, 8),
    VIRTMEM("virtmem", 192, 8),
    HIWATER_RSS("hiwater_rss", 200, 8),
    HIWATER_VM("hiwater_vm", 208, 8),
    READ_CHAR("read_char", 216, 8),
    WRITE_CHAR("write_char", 224, 8),
    READ_SYSCALLS("read_syscalls", 232, 8),
    WRITE_SYSCALLS("write_syscalls", 240, 8),
    READ_BYTES("read_bytes", 248, 8),
    WRITE_BYTES("write_bytes", 256, 8),
    CANCELLED_WRITE_BYTES("cancelled_write_bytes", 264, 8),
    NVCSW("nvcsw", 272, 8),
    NIVCSW("nivcsw", 280, 8),
    AC_UTIMESCALED("ac_utimescaled", 288, 8),
    AC_STIMESCALED("ac_stimescaled", 296, 8),
    CPU_SCALED_RUN_REAL_TOTAL("cpu_scaled_run_real_total", 304, 8),
    FREEPAGES_COUNT("freepages_count", 312, 8),
    FREEPAGES_DELAY_TOTAL("freepages_delay_total", 320, 8),
    THRASHING_COUNT("thrashing_count", 328, 8),
    THRASHING_DELAY_TOTAL("thrashing_delay_total", 336, 8),
    AC_BTIME64("ac_btime64", 344, 8),
    COMPACT_COUNT("compact_count", 352, 8),
    COMPACT_DELAY_TOTAL("compact_delay_total", 360, 8),
    AC_TGID("ac_tgid", 368, 4),
    AC_TGETIME("ac_tgetime", 376, 8),
    AC_EXE_DEV("ac_exe_dev", 384, 8),
    AC_EXE_INODE("ac_exe_inode", 392, 8),
    WPCOPY_COUNT("wpcopy_count", 400, 8),
    WPCOPY_DELAY_TOTAL("wpcopy_delay_total", 408, 8),
    IRQ_COUNT("irq_count", 416, 8),
    IRQ_DELAY_TOTAL("irq_delay_total", 424, 8),
    CPU_DELAY_MAX("cpu_delay_max", 432, 8),
    CPU_DELAY_MIN("cpu_delay_min", 440, 8),
    BLKIO_DELAY_MAX("blkio_delay_max", 448, 8),
    BLKIO_DELAY_MIN("blkio_delay_min", 456, 8),
    SWAPIN_DELAY_MAX("swapin_delay_max", 464, 8),
    SWAPIN_DELAY_MIN("swapin_delay_min", 472, 8),
    FREEPAGES_DELAY_MAX("freepages_delay_max", 480, 8),
    FREEPAGES_DELAY_MIN("freepages_delay_min", 488, 8),
    THRASHING_DELAY_MAX("thrashing_delay_max", 496, 8),
    THRASHING_DELAY_MIN("thrashing_delay_min", 504, 8),
    COMPACT_DELAY_MAX("compact_delay_max", 512, 8),
    COMPACT_DELAY_MIN("compact_delay_min", 520, 8),
    WPCOPY_DELAY_MAX("wpcopy_delay_max", 528, 8),
    WPCOPY_DELAY_MIN("wpcopy_delay_min", 536, 8),
    IRQ_DELAY_MAX("irq_delay_max", 544, 8),
    IRQ_DELAY_MIN("irq_delay_min", 552, 8);

    private final String cName;
    private final int offset;
    private final int size;

    TaskstatsField(String cName, int offset, int size) {
        this.cName = cName;
        this.offset = offset;
        this.size = size;
    }

    /** The field's name in the C struct (and in the JSON-lines sink). */
    public String cName() {
        return cName;
    }

    public int offset() {
        return offset;
    }

    public int size() {
        return size;
    }

    public int end() {
        return offset + size;
    }

    /** True for the integer fields (everything but {@code ac_comm} and {@code ac_pad}). */
    public boolean isNumeric() {
        return this != AC_COMM && this != AC_PAD;
    }

    /** True for the delay-accounting totals ({@code *_delay_total}), the ones worth histograms. */
    public boolean isDelayTotal() {
        return cName.endsWith("_delay_total");
    }
}
