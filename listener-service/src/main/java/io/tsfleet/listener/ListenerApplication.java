package io.tsfleet.listener;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** The listener-service: one replica of the taskstats listener fleet (HTTP 8082). */
@SpringBootApplication
@ConfigurationPropertiesScan
public class ListenerApplication {
    public static void main(String[] args) {
        SpringApplication.run(ListenerApplication.class, args);
    }
}
