package io.livemig.agent.service;

import java.util.List;

/** The target's answer: the reservation, where to send, and the rebinding it planned. */
public record Incoming(
        String reservationId,
        String targetHost,
        String libvirtUri,
        String migrateUri,
        String destinationXml,
        List<PlanStep> plan,
        List<String> copyDisks) {

    public Incoming {
        plan = List.copyOf(plan);
        copyDisks = List.copyOf(copyDisks);
    }

    /** One rule of the rebinding plan, for people and for the record. */
    public record PlanStep(String kind, String device, String action, String from, String to, String reason) {}
}
