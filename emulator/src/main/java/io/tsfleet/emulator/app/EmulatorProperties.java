package io.tsfleet.emulator.app;

import io.tsfleet.emulator.broker.NodeIdentity;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.time.Duration;
import java.util.List;

/**
 * {@code tsfleet.emulator.*}.
 *
 * @param backend {@code emulated} (default) or {@code kernel} (the live kernel, package {@code io.tsfleet.emulator.live})
 * @param live    settings of the kernel backend only
 * @param node    the node this broker serves
 */
@Validated
@ConfigurationProperties("tsfleet.emulator")
public record EmulatorProperties(
        @DefaultValue("emulated") @Pattern(regexp = "emulated|kernel") String backend,
        @DefaultValue @Valid Kernel kernel,
        @DefaultValue @Valid Broker broker,
        @DefaultValue @Valid Workload workload,
        @DefaultValue @Valid Live live,
        @DefaultValue @Valid Node node) {

    /**
     * The node this broker serves: with its boot id ({@link NodeIdentity}) it names every exit's sequence numbers. With
     * a coordinator URL, the node agent ({@code io.tsfleet.emulator.node}) announces the node to that coordinator and
     * keeps its lease.
     *
     * @param name             the node's name, a DNS subdomain as Kubernetes names nodes (the chart passes the pod's
     *                         {@code spec.nodeName}); blank: this host's name
     * @param coordinatorUrl   the coordinator's base URL ({@code http://host:port}); blank: the node is not announced
     * @param coordinatorToken the node agent's bearer token (the coordinator's {@code security.node-tokens})
     * @param coordinatorTokenFile a file holding the node agent's bearer token instead, read again before every
     *                         announcement (on Kubernetes the pod's projected service-account token, which the kubelet
     *                         rotates); at most one of the two
     * @param advertisedBroker {@code host:port} replicas should dial to reach this broker; blank: the node's name and
     *                         the broker's port
     * @param zone             the node's zone (the value of its {@code topology.kubernetes.io/zone} label); blank: unknown
     * @param requestTimeout   connect and answer timeout of each announcement
     * @param retryBackoff     the pause after a failed announcement, doubled with every further failure
     * @param maxRetryBackoff  the longest such pause (never longer than the announce interval the coordinator answers)
     */
    public record Node(@DefaultValue("") String name,
                       @DefaultValue("") String coordinatorUrl,
                       @DefaultValue("") String coordinatorToken,
                       @DefaultValue("") String coordinatorTokenFile,
                       @DefaultValue("") String advertisedBroker,
                       @DefaultValue("") String zone,
                       @DefaultValue("5s") @NotNull Duration requestTimeout,
                       @DefaultValue("1s") @NotNull Duration retryBackoff,
                       @DefaultValue("30s") @NotNull Duration maxRetryBackoff) {
        @AssertTrue(message = "tsfleet.emulator.node.name must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters")
        public boolean isNameValid() {
            return name == null || name.isBlank() || NodeIdentity.isValidName(name);
        }

        @AssertTrue(message = "tsfleet.emulator.node.zone must be a Kubernetes label value: at most 63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit")
        public boolean isZoneValid() {
            return zone == null || zone.isBlank() || zone.matches("[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
        }

        @AssertTrue(message = "set at most one of tsfleet.emulator.node.coordinator-token and tsfleet.emulator.node.coordinator-token-file")
        public boolean isOneCoordinatorToken() {
            return coordinatorToken == null || coordinatorToken.isBlank() || coordinatorTokenFile == null || coordinatorTokenFile.isBlank();
        }

        @AssertTrue(message = "tsfleet.emulator.node.coordinator-url must be an http or https URL with a host (http://coordinator:8080)")
        public boolean isCoordinatorUrlValid() {
            if (coordinatorUrl == null || coordinatorUrl.isBlank()) return true;
            try {
                java.net.URI u = new java.net.URI(coordinatorUrl.trim());
                return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                        && u.getQuery() == null && u.getFragment() == null && u.getUserInfo() == null;
            } catch (java.net.URISyntaxException e) {
                return false;
            }
        }

        @AssertTrue(message = "tsfleet.emulator.node.advertised-broker must be host:port (a host name, an IPv4 address or a bracketed IPv6 address, port 1-65535)")
        public boolean isAdvertisedBrokerValid() {
            if (advertisedBroker == null || advertisedBroker.isBlank()) return true;
            try {
                io.tsfleet.protocol.client.BrokerAddress a = io.tsfleet.protocol.client.BrokerAddress.parse(advertisedBroker);
                return a.host().contains(":") ? a.host().matches("[0-9A-Fa-f:.]+") : a.host().matches("[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?");
            } catch (IllegalArgumentException e) {
                return false;
            }
        }

        @AssertTrue(message = "tsfleet.emulator.node.request-timeout, retry-backoff and max-retry-backoff must be positive, max-retry-backoff at least retry-backoff")
        public boolean isAgentTimingValid() {
            return requestTimeout == null || retryBackoff == null || maxRetryBackoff == null
                    || requestTimeout.compareTo(Duration.ZERO) > 0 && retryBackoff.compareTo(Duration.ZERO) > 0 && maxRetryBackoff.compareTo(retryBackoff) >= 0;
        }

        /** Whether the node is announced to a coordinator. */
        public boolean announces() {
            return coordinatorUrl != null && !coordinatorUrl.isBlank();
        }

        /** The configured name, or this host's. */
        public String effectiveName() {
            return name == null || name.isBlank() ? NodeIdentity.defaultName() : name;
        }
    }

    /**
     * The kernel backend ({@code backend=kernel}).
     *
     * @param receiveBufferFloor the least effective {@code SO_RCVBUF} of every connection's kernel socket (0: the
     *                           kernel's default and exactly what clients request); it holds the exits that arrive while
     *                           an exit storm starves the fleet of CPU
     * @param backlog            messages a connection may hold that the backend has taken from the kernel and its client
     *                           has not taken yet
     * @param backlogTotal       the same for all connections together (the backend's memory when every client lags)
     * @param trustedUids        without a broker token, the uids besides root and the backend's own whose loopback
     *                           clients are served (found in /proc/net/tcp); other local users are refused
     * @param delayAccountingFile the kernel's delay-accounting switch, read at start and every
     *                           {@code delayAccountingCheckInterval} ({@code tsfleet_broker_delay_accounting_enabled})
     * @param delayAccountingCheckInterval how often that file is read again (1s..1h)
     */
    public record Live(
            @DefaultValue("256MB") @NotNull DataSize receiveBufferFloor,
            @DefaultValue("16MB") @NotNull DataSize backlog,
            @DefaultValue("64MB") @NotNull DataSize backlogTotal,
            @DefaultValue({}) List<@NotNull @Min(0) Integer> trustedUids,
            @DefaultValue("/proc/sys/kernel/task_delayacct") @NotBlank String delayAccountingFile,
            @DefaultValue("30s") @NotNull Duration delayAccountingCheckInterval) {

        @AssertTrue(message = "tsfleet.emulator.live.delay-accounting-check-interval must be between 1s and 1h")
        public boolean isDelayAccountingCheckIntervalValid() {
            return delayAccountingCheckInterval == null
                    || delayAccountingCheckInterval.compareTo(Duration.ofSeconds(1)) >= 0 && delayAccountingCheckInterval.compareTo(Duration.ofHours(1)) <= 0;
        }

        @AssertTrue(message = "tsfleet.emulator.live.receive-buffer-floor must be 0..1GB, backlog 64KB..1GB and backlog-total at least backlog")
        public boolean isValid() {
            return receiveBufferFloor.toBytes() >= 0 && receiveBufferFloor.toBytes() <= (1L << 30)
                    && backlog.toBytes() >= (64 << 10) && backlog.toBytes() <= (1L << 30)
                    && backlogTotal.toBytes() >= backlog.toBytes();
        }
    }

    /**
     * The emulated machine.
     *
     * @param nrCpus        {@code CONFIG_NR_CPUS} (1..8192)
     * @param possibleCpus  the possible CPU set, a cpulist
     * @param rmemDefault   {@code net.core.rmem_default}: a new socket's {@code SO_RCVBUF}
     * @param rmemMax       {@code net.core.rmem_max}
     * @param seed          seed of the generated task statistics
     * @param firstFamilyId id of the TASKSTATS family (TSFLEET_SOCK gets the next one)
     * @param zombieLimit   exited group leaders kept answerable by CMD_GET
     */
    public record Kernel(
            @DefaultValue("8192") @Min(1) @Max(8192) int nrCpus,
            @DefaultValue("0-63") @NotBlank String possibleCpus,
            @DefaultValue("212992") @Min(2304) int rmemDefault,
            @DefaultValue("212992") @Min(1152) int rmemMax,
            @DefaultValue("1") long seed,
            @DefaultValue("31") @Min(0x11) @Max(0xFFF0) int firstFamilyId,
            @DefaultValue("4096") @Min(0) @Max(1_000_000) int zombieLimit) {
    }

    /**
     * The TCP broker.
     *
     * @param port                TCP port
     * @param bindAddress         listen address
     * @param token               when set, connections must authenticate (TSFLEET_SOCK AUTH) to get CAP_NET_ADMIN
     * @param ioThreads           event loops
     * @param maxConnections      connections beyond this are refused
     * @param maxMessageBytes     largest request frame
     * @param partialFrameTimeout how long a connection may sit on an incomplete frame
     * @param tcpSendBufferBytes  SO_SNDBUF of every broker connection: the bytes a slow listener's backlog can hide
     *                            outside the emulated receive queue (the kernel has no such buffer)
     * @param flushDelay          how long a connection's output may gather before it is written (0: at once; up to 1s):
     *                            fewer, larger writes for that much latency, see {@code BrokerSettings}
     * @param authTimeout         a connection not authenticated this long after accept is closed (with a token: one that
     *                            has not presented it; without one every admitted connection is authenticated at once)
     * @param idleTimeout         an authenticated connection without listener registration that sends nothing this long
     *                            is closed (0: never); registered listeners are never closed as idle
     * @param maxConnectionsPerPeer connections one client address may hold (all local clients share 127.0.0.1)
     * @param refusalLogInterval  at most one WARN per reason of refusal or close in this interval, with the count of the
     *                            suppressed ones
     */
    public record Broker(
            @DefaultValue("7411") @Min(0) @Max(65535) int port,
            @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
            String token,
            @DefaultValue("2") @Min(1) @Max(64) int ioThreads,
            @DefaultValue("10000") @Min(1) int maxConnections,
            @DefaultValue("131072") @Min(1024) @Max(131072) int maxMessageBytes,
            @DefaultValue("10s") Duration partialFrameTimeout,
            @DefaultValue("131072") @Min(4096) @Max(16777216) int tcpSendBufferBytes,
            @DefaultValue("0ms") Duration flushDelay,
            @DefaultValue("10s") @NotNull Duration authTimeout,
            @DefaultValue("5m") @NotNull Duration idleTimeout,
            @DefaultValue("1024") @Min(1) int maxConnectionsPerPeer,
            @DefaultValue("10s") @NotNull Duration refusalLogInterval) {

        @AssertTrue(message = "tsfleet.emulator.broker.auth-timeout must be positive, idle-timeout and refusal-log-interval not negative")
        public boolean isTimeoutsValid() {
            return authTimeout.compareTo(Duration.ZERO) > 0 && !idleTimeout.isNegative() && !refusalLogInterval.isNegative();
        }

        /** Whether a token is set (blank counts as none). */
        public boolean hasToken() {
            return token != null && !token.isBlank();
        }
    }

    /**
     * The synthetic workload.
     *
     * @param enabled  false turns the generator off (exits then come only from the control API)
     * @param baseRate exits per second per CPU
     * @param seed     seed of its phases
     * @param tick     how often it runs
     * @param maxCatchUp how much time a late tick catches up; the exits due beyond it are counted as lagged instead
     *                 of emitted in one burst (at least one tick; unset: five ticks, at least 50 ms)
     */
    public record Workload(
            @DefaultValue("true") boolean enabled,
            @DefaultValue("10") @DecimalMin("0") @DecimalMax("1000000") double baseRate,
            @DefaultValue("1") long seed,
            @DefaultValue("10ms") Duration tick,
            Duration maxCatchUp) {
        private static final Duration MIN_DEFAULT_CATCH_UP = Duration.ofMillis(50);

        public Workload {
            if (maxCatchUp == null) {
                Duration fiveTicks = tick.multipliedBy(5);
                maxCatchUp = fiveTicks.compareTo(MIN_DEFAULT_CATCH_UP) > 0 ? fiveTicks : MIN_DEFAULT_CATCH_UP;
            } else if (maxCatchUp.compareTo(tick) < 0) {
                throw new IllegalArgumentException("max-catch-up (" + maxCatchUp + ") must be at least one tick (" + tick + ")");
            }
        }
    }
}
