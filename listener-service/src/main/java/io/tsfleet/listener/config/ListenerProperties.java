package io.tsfleet.listener.config;

import io.tsfleet.protocol.client.BrokerAddress;
import io.tsfleet.protocol.sock.SockProtocol;
import jakarta.validation.Valid;
import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

/**
 * {@code tsfleet.listener.*}: the replica's configuration. Exactly one of {@code coordinator-url} (a replica of a
 * coordinated fleet) and {@code static-mask} (a replica that runs on a fixed cpulist without a coordinator).
 *
 * @param broker              the broker, {@code host:port} (the emulator or the kernel backend); optional with a
 *                            coordinator that names each node's broker, required with a static mask
 * @param node                the node the replica runs on, reported in every heartbeat; empty = the environment's
 *                            {@code NODE_NAME} (the downward API's {@code spec.nodeName}), else the host name
 * @param zone                the zone the replica runs in (a Kubernetes label value, the node's
 *                            {@code topology.kubernetes.io/zone}); empty = not known
 * @param brokerToken         the broker token, presented through {@code TSFLEET_SOCK} AUTH when set
 * @param coordinatorUrl      the coordinator's base URL
 * @param coordinatorToken    sent as {@code Authorization: Bearer} to the coordinator: this replica's own token (or a
 *                            shared replica token)
 * @param coordinatorTokenFile a file whose contents are sent instead, re-read when it changes (on Kubernetes the pod's
 *                            projected service-account token); at most one of the two
 * @param id                  the replica id; empty = the pod name ({@code HOSTNAME}) or the host name
 * @param staticMask          a cpulist to listen on without a coordinator
 * @param sink                a comma-separated list of sinks, {@code <scheme>[:<argument>]} each, at most one per
 *                            scheme: {@code none}, {@code jsonl:<path>}, or a contributed sink ({@link io.tsfleet.listener.sink.SinkList})
 * @param sinkOptions         sink options: {@code <scheme>.<option>} for that sink only, a bare {@code <option>} for every
 *                            sink (jsonl: {@code max-file-bytes}, {@code max-files}; every sink: {@code when-slow},
 *                            {@code queue}, {@code processes-only}, {@code max-records-per-second})
 * @param receiveBuffer       {@code SO_RCVBUF} requested on every CPU connection
 * @param receiveBufferForce  request it as {@code SO_RCVBUFFORCE} (falls back to {@code SO_RCVBUF} on -EPERM)
 * @param readBuffer          client-side read buffer per connection
 * @param sinkQueue           memory for records between the readers and each sink (bounded; then backpressure or, for a
 *                            {@code when-slow=drop} sink, counted drops); the default of every sink's {@code queue}
 * @param sinkBatch           size of one batch of that memory
 * @param holdbackRecords     records of a leaving CPU held back (per CPU) until its fence
 * @param holdbackTotalRecords records held back by all leaving CPUs together
 * @param heartbeatInterval   heartbeat interval until the coordinator says otherwise
 * @param heartbeatExpediteDelay how soon a heartbeat follows a directive that started or advanced a handover step of
 *                            this replica, or news the coordinator waits for (a first sequence number, a completed
 *                            release); while the step waits, the delay doubles up to a quarter of the interval; 0 = off
 * @param statsInterval       rate and capacity window
 * @param handoverTimeout     how long a fenced CPU (deregistered as soon as its fence is known) waits for the broker's
 *                            answer to the deregistration before it is released anyway (the records below the fence
 *                            that did not come counted as lost)
 * @param drainTimeout        on SIGTERM, how long to wait for the coordinator to move the CPUs away
 * @param deregisterTimeout   how long to wait for DEREGISTER acks at shutdown; and a fenced CPU whose connection
 *                            brings neither the answer nor any record for that long is released anyway
 * @param connectTimeout      broker TCP connect timeout
 * @param requestTimeout      coordinator HTTP timeout
 * @param firstSeqReports     how many delivered heartbeats carry an acquired CPU's first sequence number
 * @param backoff             reconnect backoff
 * @param circuitBreaker      the breaker around the coordinator client
 */
@ConfigurationProperties(prefix = "tsfleet.listener")
@Validated
public record ListenerProperties(
        String broker,
        @DefaultValue("") String node,
        @DefaultValue("") String zone,
        String brokerToken,
        URI coordinatorUrl,
        String coordinatorToken,
        String coordinatorTokenFile,
        @DefaultValue("") String id,
        String staticMask,
        @DefaultValue("none") @NotBlank String sink,
        Map<String, String> sinkOptions,
        @DefaultValue("2MB") @NotNull DataSize receiveBuffer,
        @DefaultValue("true") boolean receiveBufferForce,
        @DefaultValue("32KB") @NotNull DataSize readBuffer,
        @DefaultValue("32MB") @NotNull DataSize sinkQueue,
        @DefaultValue("64KB") @NotNull DataSize sinkBatch,
        @DefaultValue("8192") @Min(0) int holdbackRecords,
        @DefaultValue("65536") @Min(0) long holdbackTotalRecords,
        @DefaultValue("1s") @NotNull Duration heartbeatInterval,
        @DefaultValue("100ms") @NotNull Duration heartbeatExpediteDelay,
        @DefaultValue("1s") @NotNull Duration statsInterval,
        @DefaultValue("60s") @NotNull Duration handoverTimeout,
        @DefaultValue("30s") @NotNull Duration drainTimeout,
        @DefaultValue("5s") @NotNull Duration deregisterTimeout,
        @DefaultValue("3s") @NotNull Duration connectTimeout,
        @DefaultValue("5s") @NotNull Duration requestTimeout,
        @DefaultValue("3") @Min(1) int firstSeqReports,
        @DefaultValue @Valid Backoff backoff,
        @DefaultValue @Valid Breaker circuitBreaker) {

    public ListenerProperties {
        sinkOptions = sinkOptions == null ? Map.of() : Map.copyOf(sinkOptions);
    }

    /** Reconnect backoff: exponential with jitter, from {@code initial} up to {@code max}. */
    public record Backoff(@DefaultValue("200ms") @NotNull Duration initial,
                          @DefaultValue("2s") @NotNull Duration max,
                          @DefaultValue("2.0") @DecimalMin("1.0") double multiplier,
                          @DefaultValue("0.5") @DecimalMin("0.0") @DecimalMax("1.0") double jitter) {
    }

    /** The circuit breaker around the coordinator client. */
    public record Breaker(@DefaultValue("10") @Min(1) int slidingWindow,
                          @DefaultValue("3") @Min(1) int minimumCalls,
                          @DefaultValue("50") @DecimalMin("1") @DecimalMax("100") float failureRatePercent,
                          @DefaultValue("5s") @NotNull Duration openWait) {
    }

    @AssertTrue(message = "set exactly one of tsfleet.listener.coordinator-url and tsfleet.listener.static-mask")
    public boolean isExactlyOneMode() {
        boolean hasUrl = coordinatorUrl != null && !coordinatorUrl.toString().isBlank();
        boolean hasMask = staticMask != null && !staticMask.isBlank();
        return hasUrl != hasMask;
    }

    @AssertTrue(message = "tsfleet.listener.broker is not host:port (IPv6 as [address]:port) with a port in 1..65535")
    public boolean isBrokerValid() {
        if (broker == null || broker.isBlank()) return true;
        try {
            BrokerAddress.parse(broker);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    @AssertTrue(message = "tsfleet.listener.static-mask needs tsfleet.listener.broker (there is no coordinator to name the broker)")
    public boolean isStaticMaskWithBroker() {
        return staticMask == null || staticMask.isBlank() || broker != null && !broker.isBlank();
    }

    @AssertTrue(message = "tsfleet.listener.node must be a DNS subdomain: lower-case letters, digits, '-' and '.', at most 253 characters")
    public boolean isNodeValid() {
        return node == null || node.isBlank() || SockProtocol.isValidNodeName(node.trim());
    }

    @AssertTrue(message = "tsfleet.listener.zone must be a label value: at most 63 characters of letters, digits, '-', '_' and '.', "
            + "beginning and ending with a letter or digit")
    public boolean isZoneValid() {
        return zone == null || zone.isEmpty() || ReplicaPlacement.isLabelValue(zone);
    }

    /** The configured broker, or null when the coordinator names the brokers. */
    public BrokerAddress brokerAddress() {
        return broker == null || broker.isBlank() ? null : BrokerAddress.parse(broker);
    }

    @AssertTrue(message = "tsfleet.listener.coordinator-url must be an absolute http(s) URL")
    public boolean isCoordinatorUrlValid() {
        return coordinatorUrl == null || coordinatorUrl.toString().isBlank()
                || ("http".equals(coordinatorUrl.getScheme()) || "https".equals(coordinatorUrl.getScheme())) && coordinatorUrl.getHost() != null;
    }

    @AssertTrue(message = "sizes must be positive: receive-buffer >= 0, read-buffer >= 4KB, sink-batch >= 4KB, sink-queue >= sink-batch")
    public boolean isSizesValid() {
        return receiveBuffer.toBytes() >= 0 && receiveBuffer.toBytes() <= Integer.MAX_VALUE
                && readBuffer.toBytes() >= 4096 && readBuffer.toBytes() <= 64L * 1024 * 1024
                && sinkBatch.toBytes() >= 4096 && sinkBatch.toBytes() <= 64L * 1024 * 1024
                && sinkQueue.toBytes() >= sinkBatch.toBytes();
    }

    @AssertTrue(message = "intervals and timeouts must be positive (heartbeat-expedite-delay: 0 or more)")
    public boolean isDurationsValid() {
        return positive(heartbeatInterval) && !heartbeatExpediteDelay.isNegative() && positive(statsInterval) && positive(handoverTimeout) && !drainTimeout.isNegative()
                && positive(deregisterTimeout) && positive(connectTimeout) && positive(requestTimeout)
                && positive(backoff.initial()) && !backoff.max().minus(backoff.initial()).isNegative() && positive(circuitBreaker.openWait());
    }

    @AssertTrue(message = "set at most one of tsfleet.listener.coordinator-token and tsfleet.listener.coordinator-token-file")
    public boolean isAtMostOneCoordinatorToken() {
        return coordinatorToken == null || coordinatorToken.isBlank() || coordinatorTokenFile == null || coordinatorTokenFile.isBlank();
    }

    public boolean coordinated() {
        return coordinatorUrl != null && !coordinatorUrl.toString().isBlank();
    }

    private static boolean positive(Duration d) {
        return d != null && !d.isNegative() && !d.isZero();
    }
}
