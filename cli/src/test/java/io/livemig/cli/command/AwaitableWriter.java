package io.livemig.cli.command;

import java.io.Writer;
import java.time.Duration;

/** A Writer a test can wait on: {@link #await} returns once the text contains a fragment. */
final class AwaitableWriter extends Writer {

    private final StringBuilder text = new StringBuilder();

    @Override
    public synchronized void write(char[] chars, int offset, int length) {
        text.append(chars, offset, length);
        notifyAll();
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** Waits up to {@code timeout} for {@code fragment}; fails the test if it does not come. */
    synchronized void await(String fragment, Duration timeout) throws InterruptedException {
        long end = System.nanoTime() + timeout.toNanos();
        while (text.indexOf(fragment) < 0) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                throw new AssertionError("no '" + fragment + "' within " + timeout + " in: " + text);
            }
            wait(Math.max(1, left / 1_000_000));
        }
    }

    @Override
    public synchronized String toString() {
        return text.toString();
    }
}
