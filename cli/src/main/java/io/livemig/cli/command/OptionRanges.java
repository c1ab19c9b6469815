package io.livemig.cli.command;

import io.livemig.common.input.Inputs;
import io.livemig.common.input.Inputs.Range;
import java.util.ListResourceBundle;

/**
 * The shared ranges ({@link Inputs}) of the numbers typed on the command line, named by their
 * flag, and the resource bundle that puts them in the help ({@code ${bundle:range.timeout}}), so
 * that a range is written once. Typed, 0 stands for no default: leaving the option out does.
 */
public final class OptionRanges extends ListResourceBundle {

    static final Range MAX_DOWNTIME = typed(Inputs.MAX_DOWNTIME_MS, "--max-downtime");
    static final Range BANDWIDTH = typed(Inputs.BANDWIDTH_MIBPS, "--bandwidth");
    static final Range TIMEOUT = typed(Inputs.TIMEOUT_S, "--timeout");
    static final Range PARALLEL = typed(Inputs.PARALLEL_CONNECTIONS, "--parallel");
    static final Range LIMIT = typed(Inputs.LIST_LIMIT, "--limit");

    private static Range typed(Range shared, String flag) {
        return new Range(flag, shared.min(), shared.max(), false);
    }

    /** The value, or a one-line refusal naming the flag and its range (exit code 2). */
    static long check(Range range, long value) {
        Refuse.ifPresent(range.check(value));
        return value;
    }

    @Override
    protected Object[][] getContents() {
        return new Object[][] {
            {"range.max-downtime", MAX_DOWNTIME.describe()},
            {"range.bandwidth", BANDWIDTH.describe()},
            {"range.timeout", TIMEOUT.describe()},
            {"range.parallel", PARALLEL.describe()},
            {"range.limit", LIMIT.describe()},
        };
    }
}
