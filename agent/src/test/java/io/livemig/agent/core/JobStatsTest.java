package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.function.Function;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class JobStatsTest {

    private static final long MIB = 1024 * 1024;

    // virDomainGetJobStats(0) of a QEMU pre-copy migration of a 256 MiB guest, second pass.
    private static final Map<String, Object> RUNNING_PRECOPY = Map.ofEntries(
            Map.entry("operation", 5),
            Map.entry("time_elapsed", 1834L),
            Map.entry("downtime", 300L),
            Map.entry("setup_time", 7L),
            Map.entry("data_total", 277_159_936L),
            Map.entry("data_processed", 156_237_824L),
            Map.entry("data_remaining", 12_582_912L),
            Map.entry("memory_total", 277_159_936L),
            Map.entry("memory_processed", 156_237_824L),
            Map.entry("memory_remaining", 12_582_912L),
            Map.entry("memory_constant", 23_110L),
            Map.entry("memory_normal", 37_847L),
            Map.entry("memory_normal_bytes", 155_021_312L),
            Map.entry("memory_bps", 117_440_512L),
            Map.entry("memory_dirty_rate", 8192L),
            Map.entry("memory_page_size", 4096L),
            Map.entry("memory_iteration", 1L));

    // virDomainGetJobStats(COMPLETED) on the destination after that migration succeeded.
    private static final Map<String, Object> COMPLETED_PRECOPY = Map.ofEntries(
            Map.entry("operation", 5),
            Map.entry("time_elapsed", 4312L),
            Map.entry("time_elapsed_net", 4301L),
            Map.entry("downtime", 145L),
            Map.entry("downtime_net", 139L),
            Map.entry("setup_time", 9L),
            Map.entry("data_total", 268_435_456L),
            Map.entry("data_processed", 325_268_684L),
            Map.entry("data_remaining", 0L),
            Map.entry("memory_total", 268_435_456L),
            Map.entry("memory_processed", 325_268_684L),
            Map.entry("memory_remaining", 0L),
            Map.entry("memory_bps", 120_586_240L),
            Map.entry("memory_dirty_rate", 0L),
            Map.entry("memory_page_size", 4096L),
            Map.entry("memory_iteration", 3L),
            Map.entry("success", true));

    // Post-copy: completed with page requests from the destination.
    private static final Map<String, Object> COMPLETED_POSTCOPY = Map.ofEntries(
            Map.entry("operation", 5),
            Map.entry("time_elapsed", 1604L),
            Map.entry("downtime", 3L),
            Map.entry("setup_time", 8L),
            Map.entry("data_processed", 280_002_560L),
            Map.entry("memory_total", 268_435_456L),
            Map.entry("memory_processed", 280_002_560L),
            Map.entry("memory_remaining", 0L),
            Map.entry("memory_iteration", 2L),
            Map.entry("memory_postcopy_requests", 412L),
            Map.entry("success", true));

    // virDomainGetJobStats(COMPLETED) on the source after virDomainAbortJob.
    private static final Map<String, Object> CANCELLED_ON_SOURCE = Map.ofEntries(
            Map.entry("operation", 5),
            Map.entry("time_elapsed", 15_021L),
            Map.entry("data_processed", 1_610_612_736L),
            Map.entry("memory_total", 268_435_456L),
            Map.entry("memory_iteration", 12L),
            Map.entry("success", false),
            Map.entry("errmsg", "operation aborted: migration out: canceled by client"));

    // A failed job from an older libvirt: no "success" field, only the job type says so.
    private static final Map<String, Object> FAILED_WITHOUT_SUCCESS_FIELD = Map.of(
            "time_elapsed", 2200L,
            "data_processed", 50L * MIB);

    static Stream<Arguments> fieldMappings() {
        return Stream.of(
                row("time_elapsed", 1834L, JobSample::timeElapsedMs, 1834L),
                row("time_remaining", 50L, JobSample::timeRemainingMs, 50L),
                row("downtime", 145L, JobSample::downtimeMs, 145L),
                row("downtime_net", 139L, JobSample::downtimeNetMs, 139L),
                row("setup_time", 9L, JobSample::setupTimeMs, 9L),
                row("data_total", 10L, JobSample::dataTotalBytes, 10L),
                row("data_processed", 11L, JobSample::dataProcessedBytes, 11L),
                row("data_remaining", 12L, JobSample::dataRemainingBytes, 12L),
                row("memory_total", 13L, JobSample::memoryTotalBytes, 13L),
                row("memory_processed", 14L, JobSample::memoryProcessedBytes, 14L),
                row("memory_remaining", 15L, JobSample::memoryRemainingBytes, 15L),
                row("memory_iteration", 3L, JobSample::memoryIteration, 3L),
                row("memory_dirty_rate", 8192L, JobSample::memoryDirtyRatePagesPerSec, 8192L),
                row("memory_page_size", 4096L, JobSample::memoryPageSizeBytes, 4096L),
                row("memory_bps", 117_440_512L, JobSample::memoryBytesPerSec, 117_440_512L),
                row("memory_postcopy_requests", 412L, JobSample::memoryPostcopyRequests, 412L),
                row("auto_converge_throttle", 30, JobSample::autoConvergeThrottlePercent, 30),
                row("operation", 5, JobSample::operation, JobOperation.MIGRATION_OUT),
                row("operation", 4, JobSample::operation, JobOperation.MIGRATION_IN),
                row("operation", 99, JobSample::operation, JobOperation.UNKNOWN),
                row("success", true, JobSample::success, true),
                row("success", false, JobSample::success, false),
                row("errmsg", "boom", JobSample::errorMessage, "boom"),
                // libvirt's unsigned ints arrive as Integer, Long or (from some bindings) strings
                row("memory_iteration", 7, JobSample::memoryIteration, 7L),
                row("data_processed", "42", JobSample::dataProcessedBytes, 42L),
                row("memory_bps", 1.5e6, JobSample::memoryBytesPerSec, 1_500_000L));
    }

    @ParameterizedTest(name = "{0}={1}")
    @MethodSource("fieldMappings")
    void mapsEachLibvirtFieldToItsComponent(String name, Object value, Function<JobSample, Object> field, Object expected) {
        JobSample sample = JobStats.sample(2, Map.of(name, value));
        assertEquals(expected, field.apply(sample));
    }

    static Stream<Arguments> unusableValues() {
        return Stream.of(
                row("time_elapsed", -1L, JobSample::timeElapsedMs, null),
                row("data_remaining", "lots", JobSample::dataRemainingBytes, null),
                row("memory_bps", Double.NaN, JobSample::memoryBytesPerSec, null),
                row("memory_total", true, JobSample::memoryTotalBytes, null),
                row("auto_converge_throttle", 250, JobSample::autoConvergeThrottlePercent, null),
                row("success", "yes", JobSample::success, null),
                row("errmsg", 17, JobSample::errorMessage, null),
                row("operation", -3, JobSample::operation, null));
    }

    @ParameterizedTest(name = "{0}={1} is ignored")
    @MethodSource("unusableValues")
    void unusableValuesBecomeNull(String name, Object value, Function<JobSample, Object> field, Object expected) {
        assertEquals(expected, field.apply(JobStats.sample(2, Map.of(name, value))));
    }

    @ParameterizedTest(name = "raw {0} -> {1}")
    @CsvSource({"0,NONE", "1,BOUNDED", "2,UNBOUNDED", "3,COMPLETED", "4,FAILED", "5,CANCELLED", "6,UNKNOWN", "-1,UNKNOWN"})
    void decodesRawJobTypes(int raw, JobType expected) {
        assertEquals(expected, JobStats.sample(raw, Map.of()).jobType());
    }

    @Test
    void missingFieldsAreNullNotZero() {
        JobSample sample = JobStats.sample(0, null);
        assertEquals(JobType.NONE, sample.jobType());
        assertNull(sample.timeElapsedMs());
        assertNull(sample.downtimeMs());
        assertNull(sample.bytesTransferred());
        assertNull(sample.bytesRemaining());
        assertNull(sample.success());
        assertEquals(OptionalLong.empty(), sample.memoryDirtyRateBytesPerSec());
        assertFalse(sample.jobType().isActive());
    }

    @Test
    void readsARunningPrecopySample() {
        JobSample sample = JobStats.sample(2, RUNNING_PRECOPY);
        assertTrue(sample.jobType().isActive());
        assertEquals(JobOperation.MIGRATION_OUT, sample.operation());
        assertEquals(1L, sample.memoryIteration());
        assertEquals(12L * MIB, sample.bytesRemaining());
        assertEquals(156_237_824L, sample.bytesTransferred());
        assertEquals(OptionalLong.of(32L * MIB), sample.memoryDirtyRateBytesPerSec());
        assertEquals(112L * MIB, sample.memoryBytesPerSec());
    }

    @Test
    void dirtyRateAssumes4KiBPagesWhenPageSizeIsMissing() {
        JobSample sample = JobStats.sample(2, Map.of("memory_dirty_rate", 256L));
        assertEquals(OptionalLong.of(MIB), sample.memoryDirtyRateBytesPerSec());
    }

    @Test
    void memoryFiguresStandInWhenDataFiguresAreMissing() {
        JobSample sample = JobStats.sample(2, Map.of("memory_processed", 5L, "memory_remaining", 6L));
        assertEquals(5L, sample.bytesTransferred());
        assertEquals(6L, sample.bytesRemaining());
    }

    static Stream<Arguments> completedJobs() {
        return Stream.of(
                Arguments.of("pre-copy", 3, COMPLETED_PRECOPY, 4400L, new MigrationOutcome(
                        OutcomeStatus.COMPLETED, 4312, 145L, 9L, 325_268_684L, 256 * MIB, 3L, null, null,
                        StatsOrigin.DESTINATION_COMPLETED_JOB)),
                Arguments.of("post-copy", 3, COMPLETED_POSTCOPY, 1700L, new MigrationOutcome(
                        OutcomeStatus.COMPLETED, 1604, 3L, 8L, 280_002_560L, 256 * MIB, 2L, 412L, null,
                        StatsOrigin.DESTINATION_COMPLETED_JOB)),
                Arguments.of("cancelled", 5, CANCELLED_ON_SOURCE, 15_100L, new MigrationOutcome(
                        OutcomeStatus.CANCELLED, 15_021, null, null, 1_610_612_736L, 256 * MIB, 12L, null,
                        "operation aborted: migration out: canceled by client", StatsOrigin.DESTINATION_COMPLETED_JOB)),
                Arguments.of("failed, old libvirt", 4, FAILED_WITHOUT_SUCCESS_FIELD, 2300L, new MigrationOutcome(
                        OutcomeStatus.FAILED, 2200, null, null, 50 * MIB, null, null, null,
                        "migration job failed", StatsOrigin.DESTINATION_COMPLETED_JOB)),
                Arguments.of("no elapsed time: the caller's clock", 3, Map.of("downtime", 20L, "success", true), 999L,
                        new MigrationOutcome(OutcomeStatus.COMPLETED, 999, 20L, null, null, null, null, null, null,
                                StatsOrigin.DESTINATION_COMPLETED_JOB)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("completedJobs")
    void turnsCompletedJobStatsIntoResults(String name, int type, Map<String, Object> params, long wallMs,
                                           MigrationOutcome expected) {
        assertEquals(expected, JobStats.completed(JobStats.sample(type, params), wallMs,
                StatsOrigin.DESTINATION_COMPLETED_JOB));
    }

    @Test
    void noCompletedJobMeansNoResult() {
        assertNull(JobStats.completed(JobStats.sample(0, Map.of()), 100, StatsOrigin.SOURCE_COMPLETED_JOB));
        assertNull(JobStats.completed(null, 100, StatsOrigin.SOURCE_COMPLETED_JOB));
    }

    @Test
    void lastSampleGivesProgressButNotTheExpectedDowntime() {
        MigrationOutcome result = JobStats.fromLastSample(
                OutcomeStatus.COMPLETED, JobStats.sample(2, RUNNING_PRECOPY), 4000, null);
        assertEquals(new MigrationOutcome(OutcomeStatus.COMPLETED, 4000, null, 7L, 156_237_824L, 277_159_936L,
                1L, null, null, StatsOrigin.LAST_PROGRESS_SAMPLE), result);
    }

    @Test
    void withoutAnySampleOnlyTheTimeIsKnown() {
        assertEquals(new MigrationOutcome(OutcomeStatus.FAILED, 12, null, null, null, null, null, null,
                        "unable to connect", StatsOrigin.NONE),
                JobStats.fromLastSample(OutcomeStatus.FAILED, null, 12, "unable to connect"));
    }

    @Test
    void theParserAcceptsMutableMapsWithNullValues() {
        Map<String, Object> params = new HashMap<>(RUNNING_PRECOPY);
        params.put("downtime", null);
        assertNull(JobStats.sample(2, params).downtimeMs());
    }

    private static Arguments row(String name, Object value, Function<JobSample, Object> field, Object expected) {
        return Arguments.of(name, value, field, expected);
    }
}
