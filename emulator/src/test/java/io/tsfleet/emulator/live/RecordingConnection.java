package io.tsfleet.emulator.live;

import io.tsfleet.emulator.broker.ClientConnection;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/** The server side of a broker connection as a test sees it: output signals are counted, a close is recorded. */
final class RecordingConnection implements ClientConnection {
    private static final AtomicLong IDS = new AtomicLong();
    static final SocketAddress LOOPBACK = new InetSocketAddress("127.0.0.1", 40000);
    static final SocketAddress REMOTE = new InetSocketAddress("192.0.2.7", 40000);

    private final long id = IDS.incrementAndGet();
    private final SocketAddress remote;
    private final Semaphore outputSignals = new Semaphore(0);
    private volatile String closeReason;

    RecordingConnection(SocketAddress remote) {
        this.remote = remote;
    }

    @Override
    public long id() {
        return id;
    }

    @Override
    public SocketAddress remoteAddress() {
        return remote;
    }

    @Override
    public SocketAddress localAddress() {
        return new InetSocketAddress("127.0.0.1", 7411);
    }

    @Override
    public void outputReady() {
        outputSignals.release();
    }

    @Override
    public void close(String reason) {
        closeReason = reason;
    }

    boolean awaitOutputSignal(long millis) throws InterruptedException {
        boolean got = outputSignals.tryAcquire(millis, TimeUnit.MILLISECONDS);
        outputSignals.drainPermits();
        return got;
    }

    String closeReason() {
        return closeReason;
    }
}
