package io.tsfleet.emulator;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The emulator service: the broker on TCP 7411 and the control API on HTTP 8081. The control API has no users, only a
 * bearer token ({@code io.tsfleet.emulator.api.security}): no generated user and password.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class EmulatorApplication {
    public static void main(String[] args) {
        SpringApplication.run(EmulatorApplication.class, args);
    }
}
