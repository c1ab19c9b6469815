/**
 * The migration workflow as pure code over value types: the {@link
 * io.livemig.orchestrator.workflow.RecordState} machine and the {@link
 * io.livemig.orchestrator.workflow.MigrationRecord} that moves through it, the {@link
 * io.livemig.orchestrator.workflow.AdmissionQueue} that decides which planned migrations may start
 * under the concurrency limits, and the {@link io.livemig.orchestrator.workflow.Reconciler} that
 * decides, after an orchestrator restart, what became of the migrations it had not finished, and
 * the {@link io.livemig.orchestrator.workflow.RetryBackoff} of writes the history refused.
 * Nothing here performs I/O or reads the clock; callers pass the time and the agents' answers in
 * and persist the results (see {@code io.livemig.orchestrator.history}).
 */
package io.livemig.orchestrator.workflow;
