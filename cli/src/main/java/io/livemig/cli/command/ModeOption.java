package io.livemig.cli.command;

import io.livemig.agent.core.policy.CopyMode;
import java.util.ArrayList;
import java.util.List;

/**
 * --mode as people type it: the lower-case names of {@link CopyMode}, the default (auto) first,
 * exactly (as picocli reads an enum by default), with the same refusal; completion offers them.
 */
final class ModeOption extends EnumOption<CopyMode> {

    ModeOption() {
        super(order());
    }

    /** auto, precopy, stopcopy, postcopy: the order the help and the refusal have always listed. */
    private static List<CopyMode> order() {
        List<CopyMode> modes = new ArrayList<>(List.of(CopyMode.AUTO));
        for (CopyMode mode : CopyMode.values()) {
            if (mode != CopyMode.AUTO) {
                modes.add(mode);
            }
        }
        return modes;
    }
}
