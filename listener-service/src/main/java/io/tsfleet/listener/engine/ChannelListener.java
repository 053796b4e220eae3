package io.tsfleet.listener.engine;

/** What a CPU channel tells its engine. Called from the channel's thread. */
interface ChannelListener {
    /** The broker acknowledged the registration (first time or after a reconnect). */
    void registered(CpuChannel channel, boolean reconnect);

    /** The first record since the CPU was acquired arrived: its first sequence number is known. */
    default void firstRecord(CpuChannel channel) {
    }

    /** The channel is done: released after its fence, aborted, or stopped. */
    void finished(CpuChannel channel);
}
