package io.tsfleet.emulator.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The kernel unicasts exit events to the registered port id in the <em>initial</em> network namespace, whatever
 * namespace the listener registered from: a broker whose sockets live in another network namespace registers
 * successfully and then never receives an event (oracle case {@code ns.listener_in_other_netns}). The kernel cannot
 * be asked about this, so it is checked here by comparing this process's network namespace with that of pid 1 (the
 * node's init when the broker runs in the host pid namespace, which TASKSTATS registration requires anyway).
 */
final class InitNetworkNamespace {
    static final Path PROC = Path.of("/proc");

    private InitNetworkNamespace() {
    }

    /** Why this process cannot receive events, or empty when it is in init's network namespace (or it cannot be told). */
    static Optional<String> problem(Path proc) {
        String self;
        String init;
        try {
            self = Files.readSymbolicLink(proc.resolve("self/ns/net")).toString();
            init = Files.readSymbolicLink(proc.resolve("1/ns/net")).toString();
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return Optional.empty();
        }
        if (self.equals(init)) return Optional.empty();
        return Optional.of("this process is in network namespace " + self + ", not in the initial one (" + init + "): the kernel delivers "
                + "exit events only to sockets of the initial network namespace, so the kernel backend must run in the host network "
                + "namespace (on Kubernetes: hostNetwork: true)");
    }
}
