package io.livemig.cli.command;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) while this command starts or waits for a migration aborts the migration (the
 * VM stays on the source) instead of abandoning it: a JVM shutdown hook runs the abort given to
 * {@link #arm}, which must be bounded in time and must not throw. The hook is in place before the
 * start request leaves, so a signal that arrives while the request is under way waits for the
 * migration's id (at most {@link #GRACE}) and then aborts it. The command then sees the migration
 * end, prints its result as usual and reports its exit code with {@link #finished}; the hook ends
 * the process with that code (1 for an aborted migration, as documented), not with the 130 of a
 * JVM stopped by SIGINT. A command that leaves without a result (its start failed), or does not
 * get that far within {@link #GRACE}, lets the JVM exit as the signal says. In the resident client
 * the hook runs when the launcher passes the signal on ({@link SignalHooks}), and the command
 * returns its exit code as usual.
 */
final class AbortOnSignal implements AutoCloseable {

    /** How long an interrupted command may take to start its migration, see it end and print the result. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private final SignalHooks signals = SignalHooks.current();
    private final Thread hook;
    private final CountDownLatch armed = new CountDownLatch(1);
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile Runnable abort;
    private volatile boolean finished;
    private volatile int exitCode = ExitCodes.MIGRATION_FAILED;

    AbortOnSignal() {
        hook = new Thread(this::onSignal, "livemig-abort");
        signals.add(hook);
    }

    private void onSignal() {
        try {
            if (armed.await(GRACE.toMillis(), TimeUnit.MILLISECONDS) && abort != null) {
                try {
                    abort.run();
                } catch (RuntimeException e) {
                    // it may have ended meanwhile; nothing more can be done on the way out
                }
            }
            if (done.await(GRACE.toMillis(), TimeUnit.MILLISECONDS) && finished) {
                signals.exitAfterInterrupt(exitCode); // the result is printed and flushed
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The migration has started: a signal from now on (or one that came meanwhile) runs {@code abort}. */
    void arm(Runnable abort) {
        this.abort = abort;
        armed.countDown();
    }

    /** The command has printed (and flushed) its result: a signal's shutdown exits with {@code code}. */
    int finished(int code) {
        exitCode = code;
        finished = true;
        done.countDown();
        return code;
    }

    @Override
    public void close() {
        armed.countDown(); // a command leaving without a start or a result: the hook waits no longer
        done.countDown();
        try {
            signals.remove(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs, and exits once the command has finished
        }
    }
}
