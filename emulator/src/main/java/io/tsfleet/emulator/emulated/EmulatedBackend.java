package io.tsfleet.emulator.emulated;

import io.tsfleet.emulator.broker.BrokerBackend;
import io.tsfleet.emulator.broker.ClientConnection;
import io.tsfleet.emulator.broker.BrokerSession;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import io.tsfleet.emulator.emulated.kernel.NetlinkSocket;
import io.tsfleet.protocol.netlink.NetlinkMessage;

import java.nio.ByteBuffer;

/** The broker backend served by the emulated kernel: each connection gets one emulated netlink socket. */
public final class EmulatedBackend implements BrokerBackend {
    private final EmulatedKernel kernel;

    public EmulatedBackend(EmulatedKernel kernel) {
        this.kernel = kernel;
    }

    @Override
    public String name() {
        return "emulated";
    }

    @Override
    public BrokerSession open(ClientConnection connection) {
        return new Session(kernel, kernel.openSocket(connection::outputReady));
    }

    private record Session(EmulatedKernel kernel, NetlinkSocket socket) implements BrokerSession {
        @Override
        public int portId() {
            return socket.portId();
        }

        @Override
        public void onRequest(NetlinkMessage request) {
            kernel.receive(socket, request);
        }

        @Override
        public int drainTo(ByteBuffer out) {
            return socket.drainTo(out);
        }

        /** Privileged: authenticated with the token, or any connection when the kernel has no token. */
        @Override
        public boolean authenticated() {
            return kernel.config().token() == null || socket.authenticated();
        }

        /** Exact: the kernel's listener table has an entry of this socket (asked at most once per idle period). */
        @Override
        public boolean mayHaveRegistrations() {
            return kernel.registrations().containsKey(socket.portId());
        }

        @Override
        public void close() {
            kernel.closeSocket(socket);
        }
    }
}
