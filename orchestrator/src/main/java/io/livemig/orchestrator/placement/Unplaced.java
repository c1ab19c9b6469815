package io.livemig.orchestrator.placement;

/** A VM the plan wanted to move but could not, with one sentence why. */
public record Unplaced(String vm, String from, String reason) {}
