package io.tsfleet.listener.config;

import io.tsfleet.listener.ListenerApplication;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Bad configuration stops the start with a message that says what is wrong. */
class ListenerPropertiesValidationTest {

    private static void start(String... args) {
        String[] all = new String[args.length + 1];
        all[0] = "--server.port=0";
        System.arraycopy(args, 0, all, 1, args.length);
        new SpringApplicationBuilder(ListenerApplication.class).run(all).close();
    }

    private static String messages(Throwable t) {
        StringBuilder sb = new StringBuilder();
        for (Throwable c = t; c != null; c = c.getCause()) sb.append(c.getMessage()).append('\n');
        return sb.toString();
    }

    @Test
    void neitherCoordinatorNorStaticMaskIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.broker=localhost:1"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("exactly one of"));
    }

    @Test
    void bothModesAreRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=0", "--tsfleet.listener.coordinator-url=http://c:8080"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("exactly one of"));
    }

    @Test
    void aBadCpulistIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=3-1", "--tsfleet.listener.broker=localhost:1"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("static-mask '3-1' is not a valid cpulist"));
    }

    @Test
    void aBadBrokerAddressIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=0", "--tsfleet.listener.broker=nohostport"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("is not host:port"));
    }

    @Test
    void aNegativeHeartbeatExpediteDelayIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.coordinator-url=http://127.0.0.1:9", "--tsfleet.listener.broker=localhost:1",
                "--tsfleet.listener.heartbeat-expedite-delay=-1s"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("heartbeat-expedite-delay: 0 or more"));
    }

    @Test
    void anUnknownSinkIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=0", "--tsfleet.listener.broker=localhost:1", "--tsfleet.listener.sink=carrier-pigeon:x"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("unknown sink scheme 'carrier-pigeon'"));
    }

    @Test
    void aKafkaSinkWithoutBootstrapServersIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=0", "--tsfleet.listener.broker=localhost:1", "--tsfleet.listener.sink=kafka:exits"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e))
                        .contains("sink 'kafka' needs the option bootstrap-servers"));
    }

    @Test
    void bothCoordinatorTokenSettingsAreRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.coordinator-url=http://c:8080", "--tsfleet.listener.coordinator-token=t",
                "--tsfleet.listener.coordinator-token-file=/var/run/secrets/tsfleet/token"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("at most one of tsfleet.listener.coordinator-token"));
    }

    @Test
    void aMissingCoordinatorTokenFileIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.coordinator-url=http://c:8080", "--tsfleet.listener.coordinator-token-file=/nonexistent/token"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("coordinator-token-file /nonexistent/token cannot be read"));
    }

    @Test
    void aStaticMaskWithoutBrokerIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.static-mask=0"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("static-mask needs tsfleet.listener.broker"));
    }

    @Test
    void aNodeThatIsNotADnsSubdomainIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.coordinator-url=http://c:8080", "--tsfleet.listener.node=Worker_1"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("tsfleet.listener.node must be a DNS subdomain"));
    }

    @Test
    void aZoneThatIsNotALabelValueIsRefused() {
        assertThatThrownBy(() -> start("--tsfleet.listener.coordinator-url=http://c:8080", "--tsfleet.listener.zone=-eu west"))
                .satisfies(e -> org.assertj.core.api.Assertions.assertThat(messages(e)).contains("tsfleet.listener.zone must be a label value"));
    }
}
