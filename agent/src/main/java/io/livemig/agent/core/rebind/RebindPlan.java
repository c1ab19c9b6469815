package io.livemig.agent.core.rebind;

import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * What moving one VM to one target takes: a rule per host binding of its domain XML, the local
 * disks to copy, and (when nothing is refused) the XML to give libvirt.
 */
public final class RebindPlan {

    private final String domainName;
    private final String uuid;
    private final String sourceHost;
    private final String targetHost;
    private final List<BindingRule> rules;
    private final List<DiskCopy> disksToCopy;
    private final String destinationXml;

    RebindPlan(String domainName, String uuid, String sourceHost, String targetHost, List<BindingRule> rules,
               List<DiskCopy> disksToCopy, String destinationXml) {
        this.domainName = Objects.requireNonNull(domainName);
        this.uuid = Objects.requireNonNull(uuid);
        this.sourceHost = Objects.requireNonNull(sourceHost);
        this.targetHost = Objects.requireNonNull(targetHost);
        this.rules = List.copyOf(rules);
        this.disksToCopy = List.copyOf(disksToCopy);
        if ((destinationXml != null) != feasible()) {
            throw new IllegalArgumentException("a plan has a destination XML exactly when it is feasible");
        }
        this.destinationXml = destinationXml;
    }

    /** The domain's name, unchanged on the target. */
    public String domainName() {
        return domainName;
    }

    /** The domain's UUID, unchanged on the target. */
    public String uuid() {
        return uuid;
    }

    public String sourceHost() {
        return sourceHost;
    }

    public String targetHost() {
        return targetHost;
    }

    /** One rule per binding, in the order of the domain XML. */
    public List<BindingRule> rules() {
        return rules;
    }

    public List<BindingRule> rules(RebindAction action) {
        return rules.stream().filter(r -> r.action() == action).toList();
    }

    /** True when no rule refuses. */
    public boolean feasible() {
        return rules.stream().noneMatch(r -> r.action() == RebindAction.REFUSE);
    }

    /** The reasons of the refusing rules, in order; empty when feasible. */
    public List<String> refusals() {
        return rules(RebindAction.REFUSE).stream().map(BindingRule::reason).toList();
    }

    /** Local disks the agent pre-creates on the target and libvirt copies (VIR_MIGRATE_NON_SHARED_DISK). */
    public List<DiskCopy> disksToCopy() {
        return disksToCopy;
    }

    /** The target devices for libvirt's VIR_MIGRATE_PARAM_MIGRATE_DISKS; empty when nothing is copied. */
    public List<String> migrateDisks() {
        return disksToCopy.stream().map(DiskCopy::targetDev).toList();
    }

    /** VIR_MIGRATE_PARAM_DEST_XML: the source's XML with the MAP rules applied; empty when not feasible. */
    public Optional<String> destinationXml() {
        return Optional.ofNullable(destinationXml);
    }

    /**
     * VIR_MIGRATE_PARAM_PERSIST_XML: for now the same as {@link #destinationXml()}. It is its own
     * value because the persistent definition may come to differ (e.g. from the source's inactive
     * XML rather than the running one).
     */
    public Optional<String> persistentXml() {
        return Optional.ofNullable(destinationXml);
    }

    /** A multi-line summary for an operator. */
    public String describe() {
        String head = "rebind " + domainName + " (" + uuid + ") " + sourceHost + " -> " + targetHost + ": "
                + (feasible() ? "feasible" : "REFUSED (" + refusals().size() + ")");
        return rules.stream().map(r -> "  " + r.describe()).collect(Collectors.joining("\n", head + "\n", ""));
    }

    @Override
    public String toString() {
        return describe();
    }
}
