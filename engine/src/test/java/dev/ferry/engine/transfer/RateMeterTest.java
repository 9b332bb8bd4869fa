package dev.ferry.engine.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class RateMeterTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void rateIsUnknownBeforeTwoSamples() {
        RateMeter meter = new RateMeter(5 * SECOND);
        assertThat(meter.perSecond()).isZero();
        meter.record(0, 100);
        assertThat(meter.perSecond()).isZero();
    }

    @Test
    void rateFollowsTheLastWindowOnly() {
        RateMeter meter = new RateMeter(5 * SECOND);
        long value = 0;
        for (int second = 0; second <= 10; second++) {
            meter.record(second * SECOND, value);
            value += 1000; // 1000 per second for ten seconds
        }
        for (int second = 11; second <= 20; second++) {
            value += 100; // then 100 per second
            meter.record(second * SECOND, value);
        }
        assertThat(meter.perSecond()).isCloseTo(100, within(1e-9));
    }

    @Test
    void aCounterThatStartsOverStartsTheWindowOver() {
        RateMeter meter = new RateMeter(5 * SECOND);
        meter.record(0, 0);
        meter.record(SECOND, 5000);
        meter.record(2 * SECOND, 10);
        meter.record(3 * SECOND, 30);
        assertThat(meter.perSecond()).isCloseTo(20, within(1e-9));
    }
}
