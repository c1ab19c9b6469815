/**
 * How a migration is steered, as pure functions of time and state: the migration modes, their
 * settings, the convergence predictor, the decision function that turns a job-statistics sample
 * into steering {@link io.livemig.agent.core.policy.Action}s, and the migration lifecycle.
 *
 * <p>Modelled on Nova's {@code nova/virt/libvirt/migration.py} (small functions that take the
 * elapsed time and the state as arguments), but with value types instead of free strings and
 * global configuration: everything the policy knows comes in through its arguments, so each rule
 * is tested with plain numbers. The loop that feeds it and carries out its actions is
 * {@code io.livemig.agent.core.monitor.MigrationMonitor}.
 */
package io.livemig.agent.core.policy;
