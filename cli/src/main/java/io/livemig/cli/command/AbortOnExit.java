package io.livemig.cli.command;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * While a migration runs, a JVM shutdown (Ctrl-C, SIGTERM) interrupts the migrating thread, which
 * makes the hypervisor abort the migration job, and holds the exit until the migration call has
 * returned. In a direct migration this process drives both hosts: dying mid-way can leave the
 * paused incoming QEMU behind on the destination, while an aborted job is cleaned up by libvirt.
 * In the resident client the launcher's signal does the same ({@link SignalHooks}).
 */
final class AbortOnExit implements AutoCloseable {

    /** How long an exit may wait for libvirt to cancel; cancelling normally takes well under a second. */
    private static final Duration GRACE = Duration.ofSeconds(30);

    private final SignalHooks signals = SignalHooks.current();
    private final Thread hook;
    private final CountDownLatch finished = new CountDownLatch(1);

    private AbortOnExit(Thread migrating) {
        this.hook = new Thread(() -> {
            migrating.interrupt();
            try {
                finished.await(GRACE.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "livemig-abort-on-exit");
    }

    static AbortOnExit install(Thread migrating) {
        AbortOnExit abort = new AbortOnExit(migrating);
        abort.signals.add(abort.hook);
        return abort;
    }

    @Override
    public void close() {
        finished.countDown();
        try {
            signals.remove(hook);
        } catch (IllegalStateException e) {
            // The JVM is already shutting down and the hook is running: it sees the latch.
        }
    }
}
