/**
 * The orchestrator: placement (which host a VM should run on) and scheduling (which migrations
 * to run, in what order and how many at once) across the cluster's agents.
 *
 * <ul>
 *   <li>{@code placement} and {@code workflow}: the decisions, as pure code over value types.
 *   <li>{@code model}: the orchestrator's own records of what agents report and accept.
 *   <li>{@code service}: the {@code Orchestrator} facade and the parts it hands work to (hosts,
 *       dispatching migrations, rebalance and drain rounds, reconciliation), over the
 *       {@code Agents} interface.
 *   <li>{@code history}: the durable SQLite history of migrations and rounds.
 *   <li>{@code grpc}: the only place protobuf messages are converted, both to the agents and for
 *       the orchestrator's own API; {@code config} and {@code metrics}: the file and the endpoint.
 * </ul>
 */
package io.livemig.orchestrator;
