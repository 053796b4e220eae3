package io.tsfleet.service.security;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.ProviderNotFoundException;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * The security setup every service's HTTP API shares; import it ({@code @Import(StatelessApiSecurity.class)}) and start
 * the service's filter chain with {@link #statelessApi(HttpSecurity)}:
 * <ul>
 *   <li>Spring Security's {@link StrictHttpFirewall}, named here so that nobody loosens it by accident: a path not in
 *       canonical form (encoded slashes, dots or percent signs, matrix parameters {@code ;}, dot segments, {@code //},
 *       backslashes) is refused (400, by the service's {@code RequestRejectedHandler}) before any rule matches it;</li>
 *   <li>no user store: bearer tokens are the only credentials (this also keeps Spring Boot from generating a password);</li>
 *   <li>no CSRF tokens, HTTP basic, form login, logout, request cache or session: every request stands alone.</li>
 * </ul>
 */
@Configuration(proxyBeanMethods = false)
public class StatelessApiSecurity {

    @Bean
    HttpFirewall strictHttpFirewall() {
        return new StrictHttpFirewall();
    }

    @Bean
    AuthenticationManager bearerTokensOnly() {
        return authentication -> {
            throw new ProviderNotFoundException("this service takes bearer tokens only");
        };
    }

    /** {@code http} without CSRF, HTTP basic, form login, logout, request cache and sessions. */
    public static HttpSecurity statelessApi(HttpSecurity http) throws Exception {
        return http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS));
    }
}
