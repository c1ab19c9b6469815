package io.livemig.agent.core.rebind;

/** One binding's rule, and what it changes in the XML (run only when the whole plan is feasible). */
record PlannedRule(BindingRule rule, Runnable edit, DiskCopy copy) {

    PlannedRule(BindingRule rule) {
        this(rule, null, null);
    }

    static PlannedRule keep(ResourceBinding b, String value, String reason) {
        return new PlannedRule(new BindingRule(b, RebindAction.KEEP, value, value, reason));
    }

    static PlannedRule refuse(ResourceBinding b, String value, String reason) {
        return new PlannedRule(new BindingRule(b, RebindAction.REFUSE, value, null, reason));
    }
}
