package io.livemig.agent.core.rebind;

import java.util.List;
import java.util.Objects;

/**
 * What the planner needs to know about the host the VM leaves.
 *
 * @param hostName      for messages, e.g. "lab-a"
 * @param sharedStorage where the source mounts shared storage; a disk outside every prefix is on
 *                      the source's local storage
 */
public record SourceHost(String hostName, List<SharedStorage> sharedStorage) {

    public SourceHost {
        Objects.requireNonNull(hostName, "hostName");
        sharedStorage = SharedStorage.checkedList(sharedStorage, hostName);
    }

    public SourceHost(String hostName, SharedStorage... sharedStorage) {
        this(hostName, List.of(sharedStorage));
    }
}
