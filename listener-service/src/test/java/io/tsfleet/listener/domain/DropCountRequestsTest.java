package io.tsfleet.listener.domain;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DropCountRequestsTest {
    private final DropCountRequests requests = new DropCountRequests();

    @Test
    void anAnswerTellsThatTheAnswersToEarlierRequestsWereDropped() {
        requests.asked(5);
        requests.asked(9);
        requests.asked(12);
        assertThat(requests.answered(9)).as("neither 5's answer nor its error came before 9's").isEqualTo(2);
        assertThat(requests.answered(5)).as("no longer waiting").isEqualTo(-1);
        assertThat(requests.answered(12)).isEqualTo(2);
        requests.asked(20);
        requests.asked(21);
        assertThat(requests.failed(20)).as("its error came: its answer was dropped").isTrue();
        assertThat(requests.failed(99)).isFalse();
        assertThat(requests.answered(21)).isEqualTo(3);
        assertThat(requests.answered(77)).isEqualTo(-1);
    }

    @Test
    void aNewRunStartsFromNothing() {
        requests.asked(1);
        requests.asked(2);
        assertThat(requests.answered(2)).isEqualTo(2);
        requests.newRun();
        requests.asked(1);
        assertThat(requests.answered(1)).isZero();
    }
}
