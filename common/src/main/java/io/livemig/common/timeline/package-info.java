/**
 * A migration's timeline: contiguous phases, each with where it was measured, its start and its
 * duration, measured with a monotonic clock and joined across processes by durations only (the
 * hosts' clocks are never compared).
 */
package io.livemig.common.timeline;
