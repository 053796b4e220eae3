package io.tsfleet.emulator.emulated.kernel;

import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.sock.SockProtocol;

import java.util.Objects;

/**
 * The emulated machine and kernel build.
 *
 * @param nrCpus        {@code CONFIG_NR_CPUS}: the build constant; it sets the cpumask attribute limit
 *                      {@code 100 + 6*NR_CPUS} (E2BIG) and bounds the possible CPUs (1..8192)
 * @param possibleCpus  {@code cpu_possible_mask}; {@code nr_cpu_ids} is its highest CPU + 1 and is the
 *                      {@code nbits} of the cpulist grammar (ERANGE beyond it)
 * @param rmemDefault   {@code net.core.rmem_default}: the {@code sk_rcvbuf} of a new socket
 * @param rmemMax       {@code net.core.rmem_max}: the clamp of {@code SO_RCVBUF}
 * @param token         the broker token; when non-null, a connection is privileged ({@code CAP_NET_ADMIN})
 *                      only after authenticating with it; when null every connection is privileged
 * @param seed          seed of the task-statistics generator (reproducible field values)
 * @param firstFamilyId the id given to the first dynamically registered family (TASKSTATS), the next one
 *                      gets the next id; clients must resolve ids, this makes that testable
 * @param zombieLimit   how many exited group leaders stay zombies (answerable by CMD_GET) before the
 *                      oldest is reaped
 * @param nodeName      the machine's node name ({@code TSFLEET_SOCK}'s {@code ATTR_NODE}): a DNS subdomain of at most
 *                      253 characters
 */
public record KernelConfig(int nrCpus, CpuSet possibleCpus, int rmemDefault, int rmemMax, String token, long seed,
                           int firstFamilyId, int zombieLimit, String nodeName) {

    public static final int DEFAULT_NR_CPUS = CpulistParser.MAX_NR_CPUS;
    public static final String DEFAULT_POSSIBLE_CPUS = "0-63";
    /** The id the oracle machine gave TASKSTATS on its boot: a realistic value, not one clients may rely on. */
    public static final int DEFAULT_FIRST_FAMILY_ID = 31;
    /** The node name of a kernel configured without one (tests). */
    public static final String DEFAULT_NODE_NAME = "localhost";

    public KernelConfig {
        Objects.requireNonNull(possibleCpus, "possibleCpus");
        if (nrCpus < 1 || nrCpus > CpulistParser.MAX_NR_CPUS) {
            throw new IllegalArgumentException("NR_CPUS must be within 1.." + CpulistParser.MAX_NR_CPUS + ": " + nrCpus);
        }
        if (possibleCpus.isEmpty()) throw new IllegalArgumentException("the possible CPU set is empty");
        if (possibleCpus.length() > nrCpus) {
            throw new IllegalArgumentException("possible CPUs " + possibleCpus + " exceed NR_CPUS " + nrCpus);
        }
        if (rmemDefault < SockProtocol.MIN_RCVBUF || rmemMax < SockProtocol.MIN_RCVBUF / 2) {
            throw new IllegalArgumentException("rmem_default/rmem_max too small: " + rmemDefault + "/" + rmemMax);
        }
        if (token != null && token.isEmpty()) token = null;
        if (firstFamilyId < 0x11 || firstFamilyId > 0xFFF0) throw new IllegalArgumentException("family id out of range: " + firstFamilyId);
        if (zombieLimit < 0) throw new IllegalArgumentException("negative zombie limit");
        if (!SockProtocol.isValidNodeName(nodeName)) {
            throw new IllegalArgumentException("node name '" + nodeName + "' is not a DNS subdomain of at most "
                    + SockProtocol.MAX_NODE_NAME_LENGTH + " characters");
        }
    }

    /** A machine like the one the oracle was recorded on, or the given one, with kernel defaults elsewhere. */
    public static KernelConfig of(int nrCpus, CpuSet possibleCpus) {
        return new KernelConfig(nrCpus, possibleCpus, SockProtocol.DEFAULT_RMEM, SockProtocol.DEFAULT_RMEM, null, 1L,
                DEFAULT_FIRST_FAMILY_ID, 4096, DEFAULT_NODE_NAME);
    }

    public KernelConfig withToken(String newToken) {
        return new KernelConfig(nrCpus, possibleCpus, rmemDefault, rmemMax, newToken, seed, firstFamilyId, zombieLimit, nodeName);
    }

    public KernelConfig withSeed(long newSeed) {
        return new KernelConfig(nrCpus, possibleCpus, rmemDefault, rmemMax, token, newSeed, firstFamilyId, zombieLimit, nodeName);
    }

    public KernelConfig withFirstFamilyId(int id) {
        return new KernelConfig(nrCpus, possibleCpus, rmemDefault, rmemMax, token, seed, id, zombieLimit, nodeName);
    }

    public KernelConfig withNodeName(String name) {
        return new KernelConfig(nrCpus, possibleCpus, rmemDefault, rmemMax, token, seed, firstFamilyId, zombieLimit, name);
    }

    /** {@code nr_cpu_ids}: the highest possible CPU + 1. */
    public int nrCpuIds() {
        return possibleCpus.length();
    }

    /** {@code TASKSTATS_CPUMASK_MAXLEN}. */
    public int cpumaskMaxLength() {
        return CpulistParser.maxAttributeLength(nrCpus);
    }
}
