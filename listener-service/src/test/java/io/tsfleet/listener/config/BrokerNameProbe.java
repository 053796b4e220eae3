package io.tsfleet.listener.config;

import io.tsfleet.protocol.client.BrokerAddress;
import io.tsfleet.protocol.client.BrokerClient;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The child JVM of {@link NameLookupCachingTest}: starts as the listener's {@code main} does
 * ({@link NameLookupCaching#limit()} before any lookup), then dials a broker the way a replica's CPU channel does
 * ({@link BrokerClient#connect} of the directive's {@code host:port}) while the broker's name does not resolve, lets
 * the name resolve again (the flag file), waits the given time and dials again. Prints {@code connected} or
 * {@code unresolved: <message>} as its last line.
 */
public final class BrokerNameProbe {
    public static void main(String[] args) throws Exception {
        NameLookupCaching.limit();
        Path flag = Path.of(System.getProperty("tsfleet.test.name-flag"));
        Duration wait = Duration.ofMillis(Long.parseLong(args[0]));
        try (ServerSocket broker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            BrokerAddress address = BrokerAddress.parse("node-x.flip.test:" + broker.getLocalPort());
            try (BrokerClient c = BrokerClient.connect(address, Duration.ofSeconds(2), 4096)) {
                System.out.println("connected while the name did not resolve: the resolver is not installed");
                System.exit(2);
            } catch (UnknownHostException expected) {
                System.out.println("unresolved while the node is away: " + expected.getMessage());
            }
            Files.createFile(flag); // the node is back under its name
            Thread.sleep(wait);
            try (BrokerClient c = BrokerClient.connect(address, Duration.ofSeconds(2), 4096)) {
                System.out.println("connected");
            } catch (UnknownHostException e) {
                System.out.println("unresolved: " + e.getMessage());
            } catch (IOException e) {
                System.out.println("failed: " + e);
            }
        }
    }
}
