package io.livemig.orchestrator.model;

import java.util.Locale;

/** How memory is moved: chosen by the agent (auto), or pre-copy, stop-and-copy, post-copy. */
public enum TransferMode {
    AUTO,
    PRECOPY,
    STOPCOPY,
    POSTCOPY;

    /** The lower-case name kept in the history and shown to people ("auto", "precopy", ...). */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The mode with this label; AUTO for any other text, as records written before a mode existed say. */
    public static TransferMode ofLabel(String label) {
        for (TransferMode m : values()) {
            if (m.label().equals(label)) {
                return m;
            }
        }
        return AUTO;
    }
}
