package io.livemig.agent.service;

/**
 * What the agent tells an observer (the metrics adapter) as it works. Called on the agent's own
 * threads: an implementation must be quick and must not throw.
 */
public interface AgentEvents {

    /** Tells nobody. */
    AgentEvents NONE = new AgentEvents() {};

    /** An outgoing migration ended (succeeded, failed or aborted), with the result its watchers see. */
    default void migrationEnded(MigrationView.Result result) {}
}
