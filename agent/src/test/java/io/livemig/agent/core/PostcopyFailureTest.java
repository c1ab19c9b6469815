package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.agent.core.PostcopyFailure.Facts;
import io.livemig.agent.core.PostcopyFailure.Report;
import io.livemig.agent.core.PostcopyFailure.Sighting;
import io.livemig.agent.core.PostcopyFailure.Verdict;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PostcopyFailureTest {

    private static final long V11_3 = 11_003_000;
    private static final long V11_4 = 11_004_000;

    /**
     * Sightings: "STATE/REASON" (libvirt's raw reason), "absent" or "unreachable". Versions as
     * libvirt encodes them, -1 when unknown. The fragment must be in the message; "!" before it:
     * must not be.
     */
    @ParameterizedTest(name = "{0} / {1} on {2},{3}: {4}")
    @CsvSource(delimiter = '|', textBlock = """
            # dead target: QEMU killed, libvirt keeps the persistent definition shut off (crashed)
            PAUSED/13   | SHUT_OFF/3   | 11003000 | 11003000 | LOST | the VM is lost
            PAUSED/13   | SHUT_OFF/3   | 11003000 | 11003000 | LOST | !--postcopy-resume
            PAUSED/13   | SHUT_OFF/3   | 11004000 | 11004000 | LOST | (lab-b has it shut off (crashed))
            PAUSED/13   | SHUT_OFF/2   | 11004000 | 11004000 | LOST | (lab-b has it shut off (destroyed))
            PAUSED/13   | CRASHED/0    | 11004000 | 11004000 | LOST | the VM is lost
            # dead target, transient there: the domain is gone
            PAUSED/13   | absent       | 11003000 | 11003000 | LOST | (lab-b no longer has the domain)
            PAUSED/12   | absent       | 11003000 | -1       | LOST | stale, incomplete copy on lab-a, paused (post-copy)
            PAUSED/13   | absent       | 11003000 | 11003000 | LOST | 'virsh destroy lm' on lab-a
            PAUSED/13   | absent       | 11003000 | 11003000 | LOST | restore it from your own backup
            absent      | SHUT_OFF/3   | 11003000 | 11003000 | NOT_SPLIT | 
            # cut link: the target's QEMU runs on
            PAUSED/13   | RUNNING/11   | 11004000 | 11004000 | RECOVERABLE | the VM is recoverable
            PAUSED/13   | RUNNING/11   | 11004000 | 11005000 | RECOVERABLE | 'virsh migrate --live --postcopy --postcopy-resume lm qemu+tcp://10.0.0.12/system'
            PAUSED/13   | PAUSED/13    | 12000000 | 11004000 | RECOVERABLE | which still runs (paused (post-copy failed))
            PAUSED/13   | RUNNING/10   | 11004000 | 11004000 | RECOVERABLE | which still runs (running (post-copy))
            PAUSED/13   | RUNNING/2    | 11004000 | 11004000 | RECOVERABLE | which still runs (running)
            absent      | RUNNING/11   | 11004000 | 11004000 | RECOVERABLE | the rest on lab-a (no such domain)
            unreachable | RUNNING/11   | 11003000 | 11003000 | RECOVERY_UNAVAILABLE | the rest on lab-a (not reachable)
            # cut link on libvirt without a safe resume
            PAUSED/13   | RUNNING/11   | 11003000 | 11003000 | RECOVERY_UNAVAILABLE | post-copy recovery is unavailable on libvirt 11.3.0 (lab-a 11.3.0, lab-b 11.3.0): libvirt 11.2 and 11.3 crash the destination on a post-copy resume
            PAUSED/13   | RUNNING/11   | 11004000 | 11002000 | RECOVERY_UNAVAILABLE | unavailable on libvirt 11.2.0 (lab-a 11.4.0, lab-b 11.2.0)
            PAUSED/13   | RUNNING/11   | 11003000 | 11004000 | RECOVERY_UNAVAILABLE | unavailable on libvirt 11.3.0 (lab-a 11.3.0, lab-b 11.4.0)
            PAUSED/13   | RUNNING/11   | 10000000 | 11004000 | RECOVERY_UNAVAILABLE | older versions were not tried
            PAUSED/13   | RUNNING/11   | 11004000 | -1       | RECOVERY_UNAVAILABLE | the libvirt version could not be read
            PAUSED/13   | RUNNING/11   | 11003000 | 11003000 | RECOVERY_UNAVAILABLE | give the running state up: destroy the VM on both hosts
            PAUSED/13   | RUNNING/11   | 11003000 | 11003000 | RECOVERY_UNAVAILABLE | must not be run on these hosts
            PAUSED/13   | PAUSED/13    | 11003000 | 11003000 | RECOVERY_UNAVAILABLE | The VM is not lost
            # the target could not be asked: both possibilities
            PAUSED/12   | unreachable  | 11003000 | -1       | TARGET_UNKNOWN | stale, incomplete copy on lab-a, paused (post-copy)
            PAUSED/13   | unreachable  | 11003000 | -1       | TARGET_UNKNOWN | lab-b could not be asked how it holds the VM (link down)
            PAUSED/13   | unreachable  | 11003000 | -1       | TARGET_UNKNOWN | If its QEMU died there (no such domain, or 'shut off'/'crashed'), the VM is lost
            PAUSED/13   | unreachable  | 11003000 | -1       | TARGET_UNKNOWN | post-copy recovery is unavailable on libvirt 11.3.0
            PAUSED/13   | unreachable  | 11004000 | 11004000 | TARGET_UNKNOWN | If it still runs there ('running (post-copy failed)' or 'paused'), the VM is recoverable
            # no post-copy state anywhere: the switch never took effect
            RUNNING/1   | absent       | 11003000 | 11003000 | NOT_SPLIT | 
            PAUSED/2    | PAUSED/2     | 11003000 | 11003000 | NOT_SPLIT | 
            RUNNING/5   | SHUT_OFF/3   | 11003000 | 11003000 | NOT_SPLIT | 
            unreachable | unreachable  | -1       | -1       | NOT_SPLIT | 
            """)
    void judges(String source, String target, long sourceVersion, long targetVersion, Verdict verdict, String fragment) {
        Report report = PostcopyFailure.judge(new Facts("lm", "lab-a", "lab-b", "qemu+tcp://10.0.0.12/system",
                sighting(source, "down"), sighting(target, "link down"), sourceVersion, targetVersion));
        assertEquals(verdict, report.verdict(), report.message());
        if (fragment == null) {
            assertEquals("", report.message());
        } else if (fragment.startsWith("!")) {
            assertFalse(report.message().contains(fragment.substring(1)), report.message());
        } else {
            assertTrue(report.message().contains(fragment), report.message());
        }
    }

    @Test
    void noVerdictButRecoverableEverAdvisesTheResumeAlone() {
        for (long v : new long[] {-1, 10_000_000, V11_3, 11_003_009}) {
            Report r = judge("PAUSED/13", "RUNNING/11", v, V11_4);
            assertEquals(Verdict.RECOVERY_UNAVAILABLE, r.verdict());
            assertTrue(r.message().contains("must not be run on these hosts"), r.message());
        }
        assertEquals(Verdict.RECOVERABLE, judge("PAUSED/13", "RUNNING/11", V11_4, V11_4).verdict());
    }

    @Test
    void theLostTextInFull() {
        assertEquals("the VM is lost: post-copy had started, so its newest memory was only in its QEMU on lab-b, and "
                + "that QEMU is gone (lab-b has it shut off (crashed)); that memory no longer exists anywhere, and "
                + "post-copy recovery is impossible. What remains is a stale, incomplete copy on lab-a, paused "
                + "(post-copy failed): it lacks the memory the guest wrote after the switch, so it must never be "
                + "resumed. What you can do: destroy the stale copy ('virsh destroy lm' on lab-a), then start the VM "
                + "again from its definition ('virsh start lm' on lab-a: a cold boot from its disks, whatever it held "
                + "only in memory is gone) or restore it from your own backup.",
                judge("PAUSED/13", "SHUT_OFF/3", V11_3, V11_3).message());
    }

    @Test
    void theUnavailableTextInFull() {
        assertEquals("post-copy recovery is unavailable on libvirt 11.3.0 (lab-a 11.3.0, lab-b 11.3.0): libvirt 11.2 "
                + "and 11.3 crash the destination on a post-copy resume, which would lose the VM (fixed in libvirt "
                + "11.4.0): post-copy had started, so the VM's memory is split: its newest memory is in its QEMU on "
                + "lab-b, which still runs (running (post-copy failed)), the rest on lab-a (paused (post-copy "
                + "failed)). The VM is not lost, but it cannot run on either host alone; nothing was resumed. "
                + "livemig does not attempt the resume, and 'virsh migrate --postcopy-resume' must not be run on "
                + "these hosts. First, once lab-a and lab-b reach each other again, check 'virsh domstate --reason "
                + "lm' on both: QEMU's own migration stream can outlive libvirt's connection and finish the move by "
                + "itself (lab-a then says 'shut off (migrated)' and the VM runs on lab-b: nothing more to do; if "
                + "lab-b says 'running (migrated)' while lab-a still says 'paused (post-copy failed)', the move "
                + "finished too and only lab-a's libvirt missed its end: destroy that stale copy ('virsh destroy lm' "
                + "on lab-a) and remove its definition there ('virsh undefine lm'), never resume it). Only "
                + "if both still say post-copy failed: give the running state up: destroy the VM on both hosts and start "
                + "it again from its definition or restore it from your own backup (a cold boot: whatever it held "
                + "only in memory is gone). Whether a failed post-copy survives an upgrade of libvirt on both hosts "
                + "was not tried, so livemig does not advise one.", judge("PAUSED/13", "RUNNING/11", V11_3, V11_3).message());
    }

    @Test
    void resumeIsSafeFromElevenFour() {
        assertFalse(PostcopyFailure.resumeSafe(-1));
        assertFalse(PostcopyFailure.resumeSafe(11_002_000));
        assertFalse(PostcopyFailure.resumeSafe(11_003_999));
        assertTrue(PostcopyFailure.resumeSafe(11_004_000));
        assertTrue(PostcopyFailure.resumeSafe(12_000_000));
    }

    private static Report judge(String source, String target, long sourceVersion, long targetVersion) {
        return PostcopyFailure.judge(new Facts("lm", "lab-a", "lab-b", "qemu+tcp://10.0.0.12/system",
                sighting(source, "down"), sighting(target, "link down"), sourceVersion, targetVersion));
    }

    private static Sighting sighting(String text, String why) {
        return switch (text) {
            case "absent" -> Sighting.absent();
            case "unreachable" -> Sighting.unreachable(why);
            default -> {
                String[] parts = text.split("/");
                yield Sighting.present(new DomainStatus(DomainState.valueOf(parts[0]), Integer.parseInt(parts[1])));
            }
        };
    }
}
