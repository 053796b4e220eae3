package io.tsfleet.listener;

import io.tsfleet.listener.config.NameLookupCaching;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The listener-service: one replica of the taskstats listener fleet (HTTP 8082). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ListenerApplication {
    public static void main(String[] args) {
        // before anything resolves a name: a rebooting node's broker is reached again within a second of its name resolving
        NameLookupCaching.limit();
        SpringApplication.run(ListenerApplication.class, args);
    }
}
