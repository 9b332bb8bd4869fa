package dev.ferry.engine.apply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class PollPaceTest {

    static final Duration CEILING = Duration.ofSeconds(10);

    @Test
    void firstPollIsShortThenWaitsGrowWhileNothingMovesUpToTheCeiling() {
        PollPace pace = new PollPace(Duration.ofMillis(500), 2);
        List<Duration> waits = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            waits.add(pace.next("image pending", OptionalDouble.empty(), CEILING));
        }
        assertThat(waits).containsExactly(Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofSeconds(2),
                Duration.ofSeconds(4), Duration.ofSeconds(8), CEILING, CEILING, CEILING);
    }

    @Test
    void progressThatMovesBringsThePollSooner() {
        PollPace pace = new PollPace(Duration.ofMillis(500), 2);
        for (int i = 0; i < 5; i++) {
            pace.next("converting", OptionalDouble.of(10), CEILING);
        }
        assertThat(pace.next("converting", OptionalDouble.of(10), CEILING)).isEqualTo(CEILING);
        assertThat(pace.next("converting", OptionalDouble.of(20), CEILING)).isEqualTo(Duration.ofSeconds(5));
        assertThat(pace.next("booting", OptionalDouble.of(20), CEILING)).isEqualTo(Duration.ofMillis(2500));
        assertThat(pace.next("booting", OptionalDouble.of(20), CEILING)).isEqualTo(Duration.ofSeconds(5));
        for (int i = 0; i < 10; i++) {
            pace.next("booting", OptionalDouble.of(30 + i), CEILING);
        }
        assertThat(pace.next("booting", OptionalDouble.of(99), CEILING)).isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void neverWaitsLongerThanTheProviderAsks() {
        PollPace pace = PollPace.standard();
        assertThat(pace.next("upload paused", OptionalDouble.of(3), Duration.ofMillis(10))).isEqualTo(Duration.ofMillis(10));
        assertThat(pace.next("upload paused", OptionalDouble.of(3), Duration.ZERO)).isEqualTo(Duration.ZERO);
        assertThat(pace.next("upload paused", OptionalDouble.of(3), Duration.ofSeconds(5)))
                .isLessThan(Duration.ofSeconds(1));
    }

    @Test
    void aLongOperationThatShowsNoProgressIsPolledAboutAsOftenAsItsProviderAsks() {
        // A 30-minute import on real AWS, its ceiling 15 s: today 120 polls; at its pace a few more, all in its first minute.
        Duration ceiling = Duration.ofSeconds(15);
        PollPace pace = PollPace.standard();
        Duration waited = Duration.ZERO;
        int polls = 0;
        int pollsInFirstMinute = 0;
        while (waited.compareTo(Duration.ofMinutes(30)) < 0) {
            waited = waited.plus(pace.next("import-image pending", OptionalDouble.of(27), ceiling));
            polls++;
            if (waited.compareTo(Duration.ofMinutes(1)) <= 0) {
                pollsInFirstMinute++;
            }
        }
        assertThat(polls).isBetween(120, 130);
        assertThat(pollsInFirstMinute).isLessThanOrEqualTo(12);
    }

    @Test
    void refusesAFirstWaitOfNothingAndAFactorBelowOne() {
        assertThatThrownBy(() -> new PollPace(Duration.ZERO, 1.5)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new PollPace(Duration.ofSeconds(1), 0.5)).isInstanceOf(IllegalArgumentException.class);
    }
}
