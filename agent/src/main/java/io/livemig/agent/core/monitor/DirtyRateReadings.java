package io.livemig.agent.core.monitor;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The last dirty-rate readings of one instance of a VM (its UUID), and the rate a migration plans
 * from: their median. QEMU's page sampling hashes 512 pages per GiB over a second, so a single
 * reading of a guest that dirties a few MiB/s rests on a handful of dirtied pages: on the lab, one
 * reading in two of an 8 MiB/s guest was off by more than 25 % (2 to 14 MiB/s), the median of five
 * consecutive ones never (BENCHMARKS.md, "Dirty-rate readings"). A median, not a mean, so that one
 * reading far off (a guest's boot, a burst) does not move it.
 *
 * <p>Immutable and pure: times are the caller's (nanoTime), and a reading counts from the start of
 * its measurement.
 */
public final class DirtyRateReadings {

    /** How many readings of an instance are kept and taken into the median. */
    public static final int KEPT = 5;

    /** One measurement's result: bytes/s, and when the measurement started (nanoTime). */
    public record Reading(long bytesPerS, long startedNanos) {}

    /**
     * What a migration starts from: the median of the readings within the allowed age, how many
     * went into it, and when the newest of them started (nanoTime).
     */
    public record Rate(long bytesPerS, int readings, long newestStartedNanos) {}

    private final String uuid;
    private final List<Reading> readings; // oldest first, at most KEPT

    private DirtyRateReadings(String uuid, List<Reading> readings) {
        this.uuid = uuid;
        this.readings = List.copyOf(readings);
    }

    /** No reading yet of the instance {@code uuid}. */
    public static DirtyRateReadings of(String uuid) {
        return new DirtyRateReadings(Objects.requireNonNull(uuid, "uuid"), List.of());
    }

    /**
     * These readings and {@code reading}, the oldest dropped past {@link #KEPT}; a reading of
     * another instance (the VM was destroyed and started again, or left and came back) starts
     * afresh.
     */
    public DirtyRateReadings with(String instance, Reading reading) {
        Objects.requireNonNull(reading, "reading");
        List<Reading> next = new ArrayList<>(sameInstance(instance) ? readings : List.of());
        next.add(reading);
        next.sort((a, b) -> Long.compare(a.startedNanos(), b.startedNanos()));
        while (next.size() > KEPT) {
            next.remove(0);
        }
        return new DirtyRateReadings(instance, next);
    }

    /** The instance these readings are of. */
    public String uuid() {
        return uuid;
    }

    /**
     * The rate of the instance {@code instance} from its readings whose measurement started at most
     * {@code maxAgeNanos} before {@code nowNanos}: their median (of an even count, the mean of the
     * middle two). Empty without such a reading, or for another instance.
     */
    public Optional<Rate> rate(String instance, long nowNanos, long maxAgeNanos) {
        if (!sameInstance(instance)) {
            return Optional.empty();
        }
        List<Reading> recent = readings.stream().filter(r -> nowNanos - r.startedNanos() <= maxAgeNanos).toList();
        return median(recent);
    }

    /** The median of all the readings kept, however old, for a listing; empty for another instance. */
    public Optional<Rate> latest(String instance) {
        return sameInstance(instance) ? median(readings) : Optional.empty();
    }

    private static Optional<Rate> median(List<Reading> readings) {
        if (readings.isEmpty()) {
            return Optional.empty();
        }
        long[] rates = readings.stream().mapToLong(Reading::bytesPerS).sorted().toArray();
        int n = rates.length;
        long median = n % 2 == 1 ? rates[n / 2] : (rates[n / 2 - 1] + rates[n / 2]) / 2;
        long newest = readings.stream().mapToLong(Reading::startedNanos).max().getAsLong();
        return Optional.of(new Rate(median, n, newest));
    }

    private boolean sameInstance(String instance) {
        return String.valueOf(uuid).equalsIgnoreCase(String.valueOf(instance));
    }
}
