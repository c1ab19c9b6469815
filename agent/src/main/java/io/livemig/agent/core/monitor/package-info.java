/**
 * The thin loop around a running migration: {@link io.livemig.agent.core.monitor.MigrationMonitor}
 * samples a {@link io.livemig.agent.core.migration.MigrationJob}, asks the pure
 * {@link io.livemig.agent.core.policy.MigrationPolicy} what to do, carries it out, and records
 * everything in a {@link io.livemig.agent.core.monitor.FlightRecorder} for the
 * {@link io.livemig.agent.core.monitor.MonitorReport}. No decisions are made here.
 */
package io.livemig.agent.core.monitor;
