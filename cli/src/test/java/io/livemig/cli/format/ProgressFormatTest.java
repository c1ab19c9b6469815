package io.livemig.cli.format;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.livemig.proto.agent.v1.JobSnapshot;
import org.junit.jupiter.api.Test;

/** The progress and time left a live progress line shows. */
class ProgressFormatTest {

    @Test
    void thePercentageIsRoundedDownAndTheTimeLeftUp() {
        assertEquals(" 42%  ETA 7 s", MigrationFormat.progress(JobSnapshot.newBuilder().setProgress(0.429)
                .setEtaMs(6100).build()));
        assertEquals(" 99%  ETA 1 s", MigrationFormat.progress(JobSnapshot.newBuilder().setProgress(0.999)
                .setEtaMs(1).build()), "100% only once done, and never 0 s while it runs");
        assertEquals("100%  ETA 0 s", MigrationFormat.progress(JobSnapshot.newBuilder().setProgress(1)
                .setEtaMs(0).build()));
    }

    @Test
    void withoutAnEtaItSaysSo() {
        assertEquals("  0%  ETA ?", MigrationFormat.progress(JobSnapshot.getDefaultInstance()));
        assertEquals(" 37%  ETA ?", MigrationFormat.progress(JobSnapshot.newBuilder().setProgress(0.375).build()));
    }

    @Test
    void timeLeftInSecondsMinutesOrHours() {
        assertEquals("0 s", Units.timeLeft(0));
        assertEquals("59 s", Units.timeLeft(59_000));
        assertEquals("2 min 05 s", Units.timeLeft(125_000));
        assertEquals("1 h 02 min", Units.timeLeft(3_720_000));
    }
}
