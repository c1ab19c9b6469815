/**
 * The orchestrator's durable history in a SQLite file, through plain JDBC: every migration
 * ({@link io.livemig.orchestrator.workflow.MigrationRecord}) and every rebalance round ({@link
 * io.livemig.orchestrator.history.RoundRecord}), written through before the call returns, so that
 * an orchestrator killed at any moment finds on restart what it had started and can reconcile
 * it. See {@link io.livemig.orchestrator.history.HistoryStore}.
 */
package io.livemig.orchestrator.history;
