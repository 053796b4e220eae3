package io.tsfleet.emulator.emulated.kernel;

/**
 * The receive-buffer charge ({@code skb->truesize}) of a netlink message on x86_64: the data area
 * ({@code SKB_DATA_ALIGN(len)} + 320 bytes of {@code skb_shared_info}) rounded up to its kmalloc size
 * class, plus 256 bytes of {@code struct sk_buff}. This gives the measured 1280 bytes for a 596-byte event
 * and 2304 for a 1172-byte one; for small messages (acks, errors) it is an estimate (768 bytes).
 */
public final class Truesize {
    private static final int SHARED_INFO = 320;
    private static final int SK_BUFF = 256;
    private static final int CACHE_LINE = 64;

    private Truesize() {
    }

    public static int of(int messageLength) {
        int data = ((messageLength + CACHE_LINE - 1) & -CACHE_LINE) + SHARED_INFO;
        int slab = Integer.highestOneBit(data - 1) << 1;
        return Math.max(slab, 512) + SK_BUFF;
    }
}
