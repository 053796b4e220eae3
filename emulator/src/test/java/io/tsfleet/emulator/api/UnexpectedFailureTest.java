package io.tsfleet.emulator.api;

import io.tsfleet.testing.RawHttp;
import io.tsfleet.emulator.emulated.kernel.EmulatedKernel;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.bean.override.mockito.MockitoSpyBean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.doThrow;

/**
 * A fault inside the emulator is a 500, whatever the exception's type: only {@link ControlApiException} is a refusal.
 * The emulated kernel really throws {@code IllegalStateException("pid space exhausted")} when no pid is free; that is
 * not the client's conflict (it used to be answered 409) and its message stays in the log, not in the answer.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "tsfleet.emulator.broker.port=0", "tsfleet.emulator.workload.enabled=false", "tsfleet.emulator.kernel.possible-cpus=0-3"})
class UnexpectedFailureTest {

    @LocalServerPort
    int port;

    @MockitoSpyBean
    EmulatedKernel kernel;

    @Test
    void anIllegalStateInsideTheKernelIsAServerErrorAndNotAConflict() throws Exception {
        doThrow(new IllegalStateException("pid space exhausted")).when(kernel).spawn(any(), anyInt(), anyInt());

        RawHttp.Response r = RawHttp.send(RawHttp.loopback(), port, "POST", "/api/v1/tasks", "{\"threads\":1}");

        assertThat(r.status()).isEqualTo(500);
        assertThat(r.body()).doesNotContain("pid space exhausted");
    }

    @Test
    void aRefusalStillSaysItsOwnStatus() throws Exception {
        RawHttp.Response r = RawHttp.send(RawHttp.loopback(), port, "PUT", "/api/v1/workload", "{\"baseRate\":1}");

        assertThat(r.status()).isEqualTo(409);
        assertThat(r.headers().get("content-type")).startsWith("application/problem+json");
        assertThat(r.body()).contains("\"title\":\"Conflict\"").contains("the workload generator is disabled");
    }
}
