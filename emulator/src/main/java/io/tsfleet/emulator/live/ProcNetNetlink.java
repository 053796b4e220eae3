package io.tsfleet.emulator.live;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The kernel's per-socket netlink counters from {@code /proc/net/netlink}
 * ({@code sk Eth Pid Groups Rmem Wmem Dump Locks Drops Inode}): {@code Rmem} is {@code sk_rmem_alloc} (truesize bytes
 * queued), {@code Drops} is {@code sk_drops} (messages the kernel could not queue).
 */
final class ProcNetNetlink {
    static final Path DEFAULT = Path.of("/proc/net/netlink");
    private static final int NETLINK_GENERIC = 16;

    private final Path file;

    ProcNetNetlink(Path file) {
        this.file = file;
    }

    /** The counters of the {@code NETLINK_GENERIC} socket with this port id, if it is listed. */
    Optional<SocketControl.QueueState> find(int portId) throws IOException {
        return parse(Files.readAllLines(file), portId);
    }

    static Optional<SocketControl.QueueState> parse(List<String> lines, int portId) throws IOException {
        String pid = Integer.toUnsignedString(portId);
        for (String line : lines) {
            String[] f = line.trim().split("\\s+");
            if (f.length < 10 || f[0].equals("sk")) continue;
            if (!f[1].equals(Integer.toString(NETLINK_GENERIC)) || !f[2].equals(pid)) continue;
            try {
                return Optional.of(new SocketControl.QueueState(Long.parseLong(f[4]), Long.parseLong(f[8])));
            } catch (NumberFormatException e) {
                throw new IOException("unexpected /proc/net/netlink line: " + line, e);
            }
        }
        return Optional.empty();
    }
}
