package io.livemig.agent.core.rebind;

import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * How the target names a kind of host resource (bridges, libvirt networks, host interfaces for
 * macvtap): explicit renames from the source's name to the target's, and what exists on the
 * target.
 *
 * @param renames   source name → target name
 * @param available names that exist on the target
 */
public record NameMapping(Map<String, String> renames, Set<String> available) {

    private static final NameMapping NONE = new NameMapping(Map.of(), Set.of());

    public NameMapping {
        renames = Map.copyOf(Objects.requireNonNull(renames, "renames"));
        available = Set.copyOf(Objects.requireNonNull(available, "available"));
    }

    /** Nothing renamed, nothing available. */
    public static NameMapping none() {
        return NONE;
    }
}
