/**
 * The orchestrator's own picture of what the agents report and accept: hosts, running VMs,
 * migration options, progress and results, as plain records and enums. The gRPC adapters convert
 * protobuf messages to and from these at the edge, so the rest of the orchestrator does not
 * change when a message does.
 */
package io.livemig.orchestrator.model;
