package io.livemig.orchestrator.model;

/**
 * Something the source agent did to make a migration converge.
 *
 * @param atMs time since the migration started
 * @param iteration pre-copy pass it happened in
 * @param kind what was changed ("max_downtime", "postcopy", ...)
 * @param value the new value
 * @param reason why
 */
public record EscalationStep(long atMs, long iteration, String kind, String value, String reason) {}
