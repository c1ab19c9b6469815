package io.livemig.cli.command;

/**
 * Where a command learns that its user interrupted it (Ctrl-C, SIGTERM, a closed terminal). In its
 * own JVM ({@link #JVM}) that is the JVM's shutdown: hooks are shutdown hooks, and a hook that has
 * seen the command through ends the process with the command's exit code. In the resident client
 * process ({@code io.livemig.cli.resident}) the process outlives the command: the interrupt comes
 * from the launcher over its connection, the hooks run then, and the command returns its exit
 * code as usual. {@link #current()} is read when a command installs a hook.
 */
public interface SignalHooks {

    /** Runs {@code hook} (a thread not yet started) once the command is interrupted. */
    void add(Thread hook);

    /**
     * Forgets {@code hook}.
     *
     * @throws IllegalStateException when the interrupt has come and the hook runs already
     */
    void remove(Thread hook);

    /** Called by a hook once the interrupted command has printed its result: its process ends with {@code code}. */
    void exitAfterInterrupt(int code);

    /** A command in its own JVM: shutdown hooks, and a halt once the result is out. */
    SignalHooks JVM = new SignalHooks() {
        @Override
        public void add(Thread hook) {
            Runtime.getRuntime().addShutdownHook(hook);
        }

        @Override
        public void remove(Thread hook) {
            Runtime.getRuntime().removeShutdownHook(hook);
        }

        @Override
        public void exitAfterInterrupt(int code) {
            Runtime.getRuntime().halt(code);
        }
    };

    /** The hooks of the command running now: {@link #JVM} unless {@link Current#use} said otherwise. */
    static SignalHooks current() {
        return Current.hooks;
    }

    /** The resident client's switch: one command runs at a time there, so one value serves. */
    final class Current {
        private static volatile SignalHooks hooks = JVM;

        private Current() {
        }

        /** Makes {@code hooks} the current ones (null: {@link #JVM}). */
        public static void use(SignalHooks hooks) {
            Current.hooks = hooks == null ? JVM : hooks;
        }
    }
}
