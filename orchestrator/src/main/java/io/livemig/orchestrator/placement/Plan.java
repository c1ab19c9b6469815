package io.livemig.orchestrator.placement;

import java.util.List;

/**
 * A list of moves to run in order, the VMs that could not be moved, and the {@link Spread}
 * before and after all moves.
 */
public record Plan(
        List<PlannedMove> moves,
        List<Unplaced> unplaced,
        double spreadBefore,
        double spreadAfter,
        String summary) {

    public Plan {
        moves = List.copyOf(moves);
        unplaced = List.copyOf(unplaced);
    }
}
