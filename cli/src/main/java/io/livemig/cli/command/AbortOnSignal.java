package io.livemig.cli.command;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Ctrl-C (or SIGTERM) while this command waits for a migration aborts the migration (the VM stays
 * on the source) instead of abandoning it: a JVM shutdown hook runs {@code abort}, which must be
 * bounded in time and must not throw. The command then sees the migration end, prints its result
 * as usual and reports its exit code with {@link #finished}; the hook ends the process with that
 * code (1 for an aborted migration, as documented), not with the 130 of a JVM stopped by SIGINT.
 * If the command does not get that far within {@link #GRACE}, the JVM exits as the signal says.
 */
final class AbortOnSignal implements AutoCloseable {

    /** How long an interrupted command may take to see its migration end and print the result. */
    private static final Duration GRACE = Duration.ofSeconds(60);

    private final Thread hook;
    private final CountDownLatch done = new CountDownLatch(1);
    private volatile int exitCode = ExitCodes.MIGRATION_FAILED;

    AbortOnSignal(String migrationId, Runnable abort) {
        hook = new Thread(() -> {
            try {
                abort.run();
            } catch (RuntimeException e) {
                // it may have ended meanwhile; nothing more can be done on the way out
            }
            try {
                if (done.await(GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
                    Runtime.getRuntime().halt(exitCode); // the result is printed and flushed
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "livemig-abort-" + migrationId);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /** The command has printed (and flushed) its result: a signal's shutdown exits with {@code code}. */
    int finished(int code) {
        exitCode = code;
        done.countDown();
        return code;
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs, and exits once the command has finished
        }
    }
}
