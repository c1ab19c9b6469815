package io.livemig.agent.core.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class DirtyRateReadingsTest {

    private static final long MIB = 1L << 20;
    private static final long S = 1_000_000_000L;
    private static final long MAX_AGE = 30 * S;
    private static final String VM = "6f1c0a52-4a0e-4c55-9f3b-2d8e4f1a7b10";
    private static final String AGAIN = "0b7d4e11-93a2-4f61-8c0e-5a2b9c3d4e5f";

    /** Readings of {@code VM} every 5 s from t=0, of these MiB/s. */
    private static DirtyRateReadings every5s(long... mibps) {
        DirtyRateReadings r = DirtyRateReadings.of(VM);
        for (int i = 0; i < mibps.length; i++) {
            r = r.with(VM, new DirtyRateReadings.Reading(mibps[i] * MIB, i * 5 * S));
        }
        return r;
    }

    @Test
    void aMigrationPlansFromTheMedianSoThatOneReadingFarOffDoesNotMoveIt() {
        // An 8 MiB/s guest as page sampling read it on the lab, one reading at 2 MiB/s among them.
        DirtyRateReadings r = every5s(12, 6, 6, 6, 7, 2, 12);
        DirtyRateReadings.Rate rate = r.rate(VM, 31 * S, MAX_AGE).orElseThrow();
        assertEquals(6 * MIB, rate.bytesPerS(), "the median of 6, 7, 2, 12 and 6 (the last five)");
        assertEquals(DirtyRateReadings.KEPT, rate.readings());
        assertEquals(30 * S, rate.newestStartedNanos());
    }

    @Test
    void onlyReadingsWithinTheAllowedAgeCountAndAnEvenCountTakesTheMiddleTwo() {
        DirtyRateReadings r = every5s(40, 10, 20, 4); // started at 0, 5, 10 and 15 s
        assertEquals(Optional.of(new DirtyRateReadings.Rate(15 * MIB, 4, 15 * S)), r.rate(VM, 30 * S, MAX_AGE));
        assertEquals(Optional.of(new DirtyRateReadings.Rate(10 * MIB, 3, 15 * S)), r.rate(VM, 31 * S, MAX_AGE),
                "the one started at 0 s is over 30 s old");
        assertEquals(Optional.of(new DirtyRateReadings.Rate(4 * MIB, 1, 15 * S)), r.rate(VM, 45 * S, MAX_AGE));
        assertTrue(r.rate(VM, 46 * S, MAX_AGE).isEmpty(), "no reading within 30 s");
        assertEquals(15 * MIB, r.latest(VM).orElseThrow().bytesPerS(), "a listing takes them however old");
    }

    @Test
    void anotherInstanceOfTheVmStartsAfresh() {
        DirtyRateReadings r = every5s(40, 40, 40);
        assertTrue(r.rate(AGAIN, 11 * S, MAX_AGE).isEmpty(), "the readings are of the instance destroyed since");
        assertTrue(r.latest(AGAIN).isEmpty());
        DirtyRateReadings again = r.with(AGAIN, new DirtyRateReadings.Reading(2 * MIB, 20 * S));
        assertEquals(Optional.of(new DirtyRateReadings.Rate(2 * MIB, 1, 20 * S)), again.rate(AGAIN, 21 * S, MAX_AGE));
        assertTrue(again.rate(VM, 21 * S, MAX_AGE).isEmpty());
        assertEquals(AGAIN, again.uuid());
    }

    @Test
    void aReadingThatArrivesLateTakesItsPlaceByItsStart() {
        DirtyRateReadings r = every5s(1, 2, 3, 4, 5)
                .with(VM, new DirtyRateReadings.Reading(100 * MIB, 22 * S))
                .with(VM, new DirtyRateReadings.Reading(0, 1 * S)); // older than all kept but the first
        DirtyRateReadings.Rate rate = r.rate(VM, 25 * S, MAX_AGE).orElseThrow();
        assertEquals(22 * S, rate.newestStartedNanos());
        assertEquals(4 * MIB, rate.bytesPerS(), "the median of 2, 3, 4, 5 and 100: the reading at 1 s is dropped");
    }
}
