package io.livemig.agent.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What a post-copy migration that failed after the switch left behind, and what the operator can
 * do about it. Once the switch took effect the guest's newest memory is in the target's QEMU and
 * the rest on the source, so which of the two survived decides everything:
 *
 * <ul>
 *   <li>the target's QEMU is gone (the domain is missing there, shut off or crashed): the newest
 *       memory died with it and the VM is {@link Verdict#LOST}; the source only holds a stale,
 *       incomplete copy that must never be resumed;
 *   <li>the target's QEMU still runs (the link was cut): the VM is split, not lost, and libvirt's
 *       post-copy recovery ({@code virsh migrate --postcopy --postcopy-resume}) can join it again
 *       once the hosts reach each other ({@link Verdict#RECOVERABLE}), except on libvirt older than
 *       11.4.0: libvirt 11.2 and 11.3 crash the destination on that resume (fixed in 11.4.0), which
 *       would lose the VM ({@link Verdict#RECOVERY_UNAVAILABLE});
 *   <li>the target could not be asked: both are possible and the report gives both
 *       ({@link Verdict#TARGET_UNKNOWN}).
 * </ul>
 *
 * Pure: the adapter gathers the facts (domain states with libvirt's reasons, both libvirt versions)
 * and this decides and words the report.
 */
public final class PostcopyFailure {

    /** The first libvirt release whose post-copy resume does not crash the destination. */
    public static final long RESUME_FIXED = 11_004_000;
    /** The first libvirt release known to crash the destination on post-copy resume. */
    public static final long RESUME_BROKEN_FROM = 11_002_000;

    /** How the VM stands after the failure. */
    public enum Verdict {
        /** Neither host shows a post-copy state: the switch never took effect, the usual clean-up applies. */
        NOT_SPLIT,
        /** The target's QEMU is gone with the newest memory: the VM cannot be recovered. */
        LOST,
        /** Split between two live QEMUs; post-copy resume can join it once the link is back. */
        RECOVERABLE,
        /** Split between two live QEMUs, but post-copy resume is not safe on these libvirt versions. */
        RECOVERY_UNAVAILABLE,
        /** The target could not be asked: lost or split, the report says how to tell. */
        TARGET_UNKNOWN
    }

    /** How one host was found to hold the VM. */
    public record Sighting(Kind kind, DomainStatus status, String detail) {

        public enum Kind {
            /** The host has the domain, in {@link #status()}. */
            PRESENT,
            /** The host's libvirt answered and has no such domain. */
            ABSENT,
            /** The host's libvirt could not be asked; {@link #detail()} says why. */
            UNREACHABLE
        }

        public Sighting {
            Objects.requireNonNull(kind, "kind");
            if (kind == Kind.PRESENT && status == null) {
                throw new IllegalArgumentException("a present domain needs its status");
            }
            detail = detail == null ? "" : detail;
        }

        public static Sighting present(DomainStatus status) {
            return new Sighting(Kind.PRESENT, status, "");
        }

        public static Sighting absent() {
            return new Sighting(Kind.ABSENT, null, "");
        }

        public static Sighting unreachable(String why) {
            return new Sighting(Kind.UNREACHABLE, null, why);
        }

        /** The host answered, and its QEMU for the domain is gone (no domain, shut off, crashed). */
        boolean dead() {
            return kind == Kind.ABSENT || kind == Kind.PRESENT && !status.active();
        }

        boolean postcopy() {
            return kind == Kind.PRESENT && status.postcopy();
        }

        String words() {
            return switch (kind) {
                case PRESENT -> status.describe();
                case ABSENT -> "no such domain";
                case UNREACHABLE -> "not reachable";
            };
        }
    }

    /**
     * What the adapter found after the failure.
     *
     * @param targetUri     the target's libvirt URI as the source uses it (for the resume command)
     * @param sourceLibvirt the source daemon's libvirt version (major * 1,000,000 + minor * 1,000 +
     *                      release), negative when it could not be read
     * @param targetLibvirt the target daemon's, likewise
     */
    public record Facts(String vmName, String sourceHost, String targetHost, String targetUri, Sighting source,
            Sighting target, long sourceLibvirt, long targetLibvirt) {

        public Facts {
            Objects.requireNonNull(vmName, "vmName");
            Objects.requireNonNull(sourceHost, "sourceHost");
            Objects.requireNonNull(targetHost, "targetHost");
            Objects.requireNonNull(source, "source");
            Objects.requireNonNull(target, "target");
            targetUri = targetUri == null ? "" : targetUri;
        }
    }

    /** The verdict and its explanation for the operator (empty for {@link Verdict#NOT_SPLIT}). */
    public record Report(Verdict verdict, String message) {}

    private PostcopyFailure() {
    }

    /** Decides how the VM stands and says so, with what the operator can do. */
    public static Report judge(Facts f) {
        if (!f.source().postcopy() && !f.target().postcopy()) {
            return new Report(Verdict.NOT_SPLIT, "");
        }
        if (f.target().kind() == Sighting.Kind.UNREACHABLE) {
            return new Report(Verdict.TARGET_UNKNOWN, unknown(f));
        }
        if (f.target().dead()) {
            return new Report(Verdict.LOST, lost(f));
        }
        String unsafe = resumeUnsafe(f.sourceHost(), f.sourceLibvirt(), f.targetHost(), f.targetLibvirt());
        return unsafe.isEmpty()
                ? new Report(Verdict.RECOVERABLE, recoverable(f))
                : new Report(Verdict.RECOVERY_UNAVAILABLE, unavailable(f, unsafe));
    }

    /** Whether livemig advises a post-copy resume on this libvirt version: 11.4.0 or newer. */
    public static boolean resumeSafe(long libvirtVersion) {
        return libvirtVersion >= RESUME_FIXED;
    }

    private static String lost(Facts f) {
        String target = f.target().kind() == Sighting.Kind.ABSENT
                ? f.targetHost() + " no longer has the domain"
                : f.targetHost() + " has it " + f.target().words();
        return "the VM is lost: post-copy had started, so its newest memory was only in its QEMU on " + f.targetHost()
                + ", and that QEMU is gone (" + target + "); that memory no longer exists anywhere, and post-copy "
                + "recovery is impossible. " + sourceRemains(f) + " " + lostAdvice(f);
    }

    private static String sourceRemains(Facts f) {
        return switch (f.source().kind()) {
            case PRESENT -> "What remains is a stale, incomplete copy on " + f.sourceHost() + ", "
                    + f.source().words() + ": it lacks the memory the guest wrote after the switch, so it must "
                    + "never be resumed.";
            case ABSENT -> f.sourceHost() + " no longer has the domain either.";
            case UNREACHABLE -> "What " + f.sourceHost() + " holds could not be read (" + f.source().detail()
                    + "); a copy left there is stale and must never be resumed.";
        };
    }

    private static String lostAdvice(Facts f) {
        return "What you can do: destroy the stale copy ('virsh destroy " + f.vmName() + "' on " + f.sourceHost()
                + "), then start the VM again from its definition ('virsh start " + f.vmName() + "' on "
                + f.sourceHost() + ": a cold boot from its disks, whatever it held only in memory is gone) or "
                + "restore it from your own backup.";
    }

    private static String split(Facts f) {
        return "post-copy had started, so the VM's memory is split: its newest memory is in its QEMU on "
                + f.targetHost() + ", which still runs (" + f.target().words() + "), the rest on " + f.sourceHost()
                + " (" + f.source().words() + "). The VM is not lost, but it cannot run on either host alone; "
                + "nothing was resumed.";
    }

    private static String recoverable(Facts f) {
        return "the VM is recoverable: " + split(f) + " " + resumeAdvice(f);
    }

    private static String resumeAdvice(Facts f) {
        return "Once " + f.sourceHost() + " and " + f.targetHost() + " can reach each other again, resume the "
                + "migration on " + f.sourceHost() + " with 'virsh migrate --live --postcopy --postcopy-resume "
                + f.vmName() + " " + (f.targetUri().isEmpty() ? "<target URI>" : f.targetUri()) + "'. Until then "
                + "neither resume nor destroy either copy: each holds memory the other lacks.";
    }

    private static String unavailable(Facts f, String unsafe) {
        return "post-copy recovery is unavailable on " + unsafe + ": " + split(f) + " " + unavailableAdvice(f);
    }

    private static String unavailableAdvice(Facts f) {
        return "livemig does not attempt the resume, and 'virsh migrate --postcopy-resume' must not be run on these "
                + "hosts. First, once " + f.sourceHost() + " and " + f.targetHost() + " reach each other again, check "
                + "'virsh domstate --reason " + f.vmName() + "' on both: QEMU's own migration stream can outlive "
                + "libvirt's connection and finish the move by itself (" + f.sourceHost() + " then says 'shut off "
                + "(migrated)' and the VM runs on " + f.targetHost() + ": nothing more to do; if " + f.targetHost()
                + " says 'running (migrated)' while " + f.sourceHost() + " still says 'paused (post-copy failed)', "
                + "the move finished too and only " + f.sourceHost() + "'s libvirt missed its end: destroy that "
                + "stale copy ('virsh destroy " + f.vmName() + "' on " + f.sourceHost() + ") and remove its "
                + "definition there ('virsh undefine " + f.vmName() + "'), never resume it). Only if both still "
                + "say post-copy failed: give the running state up: destroy the VM on both hosts and start it "
                + "again from its definition or restore it from your own backup (a cold boot: whatever it held only "
                + "in memory is gone). Whether a failed post-copy survives an upgrade of libvirt on both hosts was "
                + "not tried, so livemig does not advise one.";
    }

    private static String unknown(Facts f) {
        String unsafe = resumeUnsafe(f.sourceHost(), f.sourceLibvirt(), f.targetHost(), f.targetLibvirt());
        String ifAlive = unsafe.isEmpty()
                ? "the VM is recoverable: " + resumeAdvice(f)
                : "post-copy recovery is unavailable on " + unsafe + ". " + unavailableAdvice(f);
        return "the VM may be lost or only split: post-copy had started, and " + f.targetHost() + " could not be "
                + "asked how it holds the VM (" + f.target().detail() + "). " + sourceRemains(f) + " Check with "
                + "'virsh domstate --reason " + f.vmName() + "' on " + f.targetHost() + " once it can be reached. "
                + "If its QEMU died there (no such domain, or 'shut off'/'crashed'), the VM is lost with its newest "
                + "memory: " + lostAdvice(f) + " If it still runs there ('running (post-copy failed)' or 'paused'), "
                + ifAlive;
    }

    /**
     * Why a post-copy resume is not advised on these versions, naming them ("libvirt 11.3.0 (lab-a
     * 11.3.0, lab-b 11.3.0): libvirt 11.2 and 11.3 crash ..."), or empty when both are 11.4.0 or newer.
     */
    static String resumeUnsafe(String sourceHost, long sourceVersion, String targetHost, long targetVersion) {
        if (resumeSafe(sourceVersion) && resumeSafe(targetVersion)) {
            return "";
        }
        List<Long> known = new ArrayList<>();
        for (long v : new long[] {sourceVersion, targetVersion}) {
            if (v >= 0 && !resumeSafe(v)) {
                known.add(v);
            }
        }
        String versions = "(" + sourceHost + " " + LibvirtVersions.dotted(sourceVersion) + ", " + targetHost + " "
                + LibvirtVersions.dotted(targetVersion) + ")";
        if (known.isEmpty()) {
            return "these hosts " + versions + ": the libvirt version could not be read, and livemig advises a "
                    + "post-copy resume only from libvirt 11.4.0 on (11.2 and 11.3 crash the destination on resume, "
                    + "which would lose the VM)";
        }
        long oldest = known.stream().mapToLong(Long::longValue).min().orElseThrow();
        String why = oldest >= RESUME_BROKEN_FROM
                ? "libvirt 11.2 and 11.3 crash the destination on a post-copy resume, which would lose the VM "
                        + "(fixed in libvirt 11.4.0)"
                : "livemig advises a post-copy resume only from libvirt 11.4.0 on, which fixed the crash of the "
                        + "destination on resume that 11.2 and 11.3 have; older versions were not tried";
        return "libvirt " + LibvirtVersions.dotted(oldest) + " " + versions + ": " + why;
    }
}
