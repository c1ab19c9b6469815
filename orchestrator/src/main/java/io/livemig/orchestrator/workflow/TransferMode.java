package io.livemig.orchestrator.workflow;

import java.util.Locale;

/**
 * How memory is moved: chosen by the source agent (auto), or pre-copy, stop-and-copy,
 * post-copy. Records and the history keep it by its {@link #label()}.
 */
public enum TransferMode {
    AUTO,
    PRECOPY,
    STOPCOPY,
    POSTCOPY;

    /** The lower-case name stored in the history and shown to people ("auto", "precopy", ...). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The mode with this label.
     *
     * @throws IllegalArgumentException for any other text
     */
    public static TransferMode parse(String label) {
        for (TransferMode m : values()) {
            if (m.label().equals(label)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown migration mode '" + label
                + "'; valid modes: auto, precopy, stopcopy, postcopy");
    }
}
