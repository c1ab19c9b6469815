package io.livemig.orchestrator.service;

import io.livemig.common.config.HostConfig;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.TransferOptions;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The orchestrator's view of the hosts' agents, in its own records. Implemented over gRPC by
 * {@code io.livemig.orchestrator.grpc.GrpcAgents}; tests use a fake. Every call is bounded in time
 * by the implementation.
 */
public interface Agents {

    HostReport hostReport(HostConfig host) throws AgentCallException;

    /** Running VMs with their bindings and CPU utilisation. */
    List<GuestVm> runningVms(HostConfig host) throws AgentCallException;

    /** Starts migrating {@code vm} from {@code source} to {@code target}; the source agent's id. */
    String startMigration(HostConfig source, String vm, HostConfig target, TransferOptions options)
            throws AgentCallException;

    /**
     * Follows a migration to its end, handing each progress message to {@code progress}; returns
     * the last one, which carries the result. Blocks; gives up (exception) only when the agent
     * cannot be reached.
     */
    AgentProgress watch(HostConfig source, String agentMigrationId, Consumer<AgentProgress> progress)
            throws AgentCallException;

    /** What the source agent knows of a migration; empty when it does not know the id. */
    Optional<AgentProgress> migration(HostConfig source, String agentMigrationId) throws AgentCallException;

    void abort(HostConfig source, String agentMigrationId) throws AgentCallException;
}
