package io.tsfleet.listener.config;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * A name resolver for {@link NameLookupCachingTest}'s child JVM only (installed there through a service file that only
 * its class path has): names ending in {@code .flip.test} resolve to 127.0.0.1 while the file named by the system
 * property {@code tsfleet.test.name-flag} exists, and not at all otherwise - a node whose DNS record comes and goes.
 * Every other name goes to the JDK's own resolver.
 */
public final class FlagFileResolverProvider extends InetAddressResolverProvider {
    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        Path flag = Path.of(System.getProperty("tsfleet.test.name-flag"));
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                if (!host.endsWith(".flip.test")) return builtin.lookupByName(host, policy);
                if (!Files.exists(flag)) throw new UnknownHostException(host + " (its record is gone)");
                return Stream.of(InetAddress.getByAddress(host, new byte[] {127, 0, 0, 1}));
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "flag-file";
    }
}
