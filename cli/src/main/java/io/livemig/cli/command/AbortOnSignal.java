package io.livemig.cli.command;

/**
 * Ctrl-C (or SIGTERM) while this command waits for a migration aborts the migration (the VM stays
 * on the source) instead of abandoning it: a JVM shutdown hook runs {@code abort}, which must be
 * bounded in time and must not throw.
 */
final class AbortOnSignal implements AutoCloseable {

    private final Thread hook;

    AbortOnSignal(String migrationId, Runnable abort) {
        hook = new Thread(() -> {
            try {
                abort.run();
            } catch (RuntimeException e) {
                // it may have ended meanwhile; nothing more can be done on the way out
            }
        }, "livemig-abort-" + migrationId);
        Runtime.getRuntime().addShutdownHook(hook);
    }

    @Override
    public void close() {
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException e) {
            // shutting down already: the hook runs
        }
    }
}
