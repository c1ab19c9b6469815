package io.livemig.orchestrator.service;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A counter of the orchestrator's changes (loads, records, rounds, progress) that watchers wait
 * on: a client that saw version v waits for v + 1 instead of polling. Thread-safe.
 */
final class ChangeSignal {

    private final Object changes = new Object();
    private long version; // under changes

    long version() {
        synchronized (changes) {
            return version;
        }
    }

    void changed() {
        synchronized (changes) {
            version++;
            changes.notifyAll();
        }
    }

    /** Waits up to {@code timeout} for any change after {@code afterVersion}; the version then. */
    long awaitChange(long afterVersion, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (changes) {
            while (version <= afterVersion) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    break;
                }
                TimeUnit.NANOSECONDS.timedWait(changes, left);
            }
            return version;
        }
    }
}
