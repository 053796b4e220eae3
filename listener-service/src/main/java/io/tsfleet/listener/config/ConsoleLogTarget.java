package io.tsfleet.listener.config;

import org.springframework.boot.EnvironmentPostProcessor;
import org.springframework.boot.SpringApplication;
import org.springframework.core.env.ConfigurableEnvironment;
import org.springframework.core.env.MapPropertySource;

import java.util.Locale;
import java.util.Map;

/**
 * Keeps standard output for records when the {@code stdout} sink is selected: before logging starts, it points the
 * console log (logback-spring.xml's {@code CONSOLE} appender, through {@value #TARGET}) and the start-up banner at
 * standard error, and {@link System#out} too, so that nothing printed by the application or a library lands between
 * the records on file descriptor 1 (the sink writes there directly). Without the {@code stdout} sink nothing changes:
 * the console log stays on standard output.
 */
public final class ConsoleLogTarget implements EnvironmentPostProcessor {
    /** Where the console log goes: {@code System.out} (default) or {@code System.err}; set here, read by logback-spring.xml. */
    public static final String TARGET = "tsfleet.listener.console-log-target";

    @Override
    public void postProcessEnvironment(ConfigurableEnvironment environment, SpringApplication application) {
        if (!selectsStdout(environment.getProperty("tsfleet.listener.sink", "none"))) return;
        environment.getPropertySources().addFirst(new MapPropertySource("stdout-sink-console",
                Map.of(TARGET, "System.err", "spring.main.banner-mode", "log")));
        application.setBannerMode(org.springframework.boot.Banner.Mode.LOG);
        System.setOut(System.err);
    }

    /** Whether a sink list ({@code jsonl:/data/r.jsonl,stdout}) has the {@code stdout} sink. */
    static boolean selectsStdout(String sinks) {
        for (String spec : sinks.split(",")) {
            int colon = spec.indexOf(':');
            String scheme = (colon < 0 ? spec : spec.substring(0, colon)).trim().toLowerCase(Locale.ROOT);
            if (scheme.equals("stdout")) return true;
        }
        return false;
    }
}
