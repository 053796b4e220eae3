package io.tsfleet.coordinator.domain;

import io.tsfleet.coordinator.domain.fleet.AnnouncedNode;
import io.tsfleet.protocol.client.BrokerAddress;
import io.tsfleet.protocol.cpu.CpuSet;
import io.tsfleet.protocol.cpu.CpulistParseException;
import io.tsfleet.protocol.cpu.CpulistParser;
import io.tsfleet.protocol.fleet.NodeAnnouncement;

import java.util.Locale;
import java.util.UUID;
import java.util.regex.Pattern;

/** Validates a node announcement and turns it into an {@link AnnouncedNode}; refuses bad input with a clear message. */
final class NodeAnnouncementParser {
    /** RFC 1123 subdomain, as Kubernetes requires of node names. */
    private static final Pattern NODE_NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final int MAX_NAME_LENGTH = 253;
    /** A host name or IPv4 address (letters, digits, '-', '.'), or an IPv6 literal (hex digits, ':' and '.'). */
    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]+");

    private NodeAnnouncementParser() {
    }

    static boolean isNodeName(String name) {
        return name != null && !name.isEmpty() && name.length() <= MAX_NAME_LENGTH && NODE_NAME.matcher(name).matches();
    }

    static AnnouncedNode parse(String pathName, NodeAnnouncement a) {
        if (a == null) throw invalid("missing announcement body");
        String name = a.nodeName();
        if (name == null || name.isBlank()) throw invalid("nodeName is required");
        if (pathName != null && !pathName.equals(name)) throw invalid("nodeName '" + abbreviate(name) + "' does not match the path's node '" + abbreviate(pathName) + "'");
        if (!isNodeName(name)) {
            throw invalid("nodeName must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most " + MAX_NAME_LENGTH + " characters");
        }
        String bootId = bootId(a.bootId());
        CpuSet cpus = possibleCpus(a.possibleCpus());
        String broker = broker(a.advertisedBroker());
        String delay = a.delayAccounting();
        if (!NodeAnnouncement.ON.equals(delay) && !NodeAnnouncement.OFF.equals(delay) && !NodeAnnouncement.UNKNOWN.equals(delay)) {
            throw invalid("delayAccounting must be 'on', 'off' or 'unknown'");
        }
        return new AnnouncedNode(name, bootId, cpus, broker, delay, zone(a.zone()));
    }

    /** A zone is a Kubernetes label value; blank means unknown. */
    static String zone(String raw) {
        if (raw == null || raw.isBlank()) return null;
        if (!Validation.isLabelValue(raw)) {
            throw invalid("zone '" + abbreviate(raw) + "' must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', "
                    + "starting and ending with a letter or digit");
        }
        return raw;
    }

    private static String bootId(String raw) {
        if (raw == null || raw.isBlank()) throw invalid("bootId is required");
        if (raw.length() != 36) throw invalid("bootId must be a UUID (36 characters, as /proc/sys/kernel/random/boot_id holds it)");
        try {
            return UUID.fromString(raw).toString().toLowerCase(Locale.ROOT);
        } catch (IllegalArgumentException e) {
            throw invalid("bootId must be a UUID (as /proc/sys/kernel/random/boot_id holds it)");
        }
    }

    private static CpuSet possibleCpus(String raw) {
        if (raw == null || raw.isBlank()) throw invalid("possibleCpus must be a non-empty cpulist");
        Validation.checkCpulistLength("possibleCpus", raw);
        CpuSet cpus;
        try {
            cpus = CpulistParser.parse(raw, CpulistParser.MAX_NR_CPUS);
        } catch (CpulistParseException e) {
            throw invalid("possibleCpus '" + abbreviate(raw) + "' is not a valid cpulist of at most " + CpulistParser.MAX_NR_CPUS + " CPUs: " + e.getMessage());
        }
        if (cpus.isEmpty()) throw invalid("possibleCpus must be a non-empty cpulist");
        return cpus;
    }

    private static String broker(String raw) {
        if (raw == null || raw.isBlank()) throw invalid("advertisedBroker is required (host:port)");
        if (raw.length() > MAX_NAME_LENGTH + 8) throw invalid("advertisedBroker is too long");
        BrokerAddress address;
        try {
            address = BrokerAddress.parse(raw);
        } catch (IllegalArgumentException e) {
            throw invalid("advertisedBroker: " + e.getMessage());
        }
        String host = address.host();
        boolean valid = host.contains(":") ? IPV6.matcher(host).matches() : HOST.matcher(host).matches();
        if (!valid || host.length() > MAX_NAME_LENGTH) {
            throw invalid("advertisedBroker '" + abbreviate(raw) + "' is not host:port (a host name, an IPv4 address or a bracketed IPv6 address)");
        }
        return address.toString();
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }

    private static CoordinatorException.InvalidRequest invalid(String message) {
        return new CoordinatorException.InvalidRequest(message);
    }
}
