package io.livemig.agent.core;

import java.util.Map;

/**
 * Turns libvirt's domain job statistics (typed parameters keyed by the VIR_DOMAIN_JOB_* names of
 * libvirt-domain.h) into {@link JobSample}s and {@link MigrationOutcome}s.
 *
 * <p>Input maps hold what the adapter read from libvirt: {@link Number}s for integer parameters,
 * {@link Boolean} for "success", {@link String} for "errmsg". Missing, negative or mistyped values
 * become null rather than errors: statistics must never break a migration that is running.
 */
public final class JobStats {

    // Field names from libvirt-domain.h (VIR_DOMAIN_JOB_*).
    public static final String OPERATION = "operation";
    public static final String TIME_ELAPSED = "time_elapsed";
    public static final String TIME_REMAINING = "time_remaining";
    public static final String DOWNTIME = "downtime";
    public static final String DOWNTIME_NET = "downtime_net";
    public static final String SETUP_TIME = "setup_time";
    public static final String DATA_TOTAL = "data_total";
    public static final String DATA_PROCESSED = "data_processed";
    public static final String DATA_REMAINING = "data_remaining";
    public static final String MEMORY_TOTAL = "memory_total";
    public static final String MEMORY_PROCESSED = "memory_processed";
    public static final String MEMORY_REMAINING = "memory_remaining";
    public static final String MEMORY_ITERATION = "memory_iteration";
    public static final String MEMORY_DIRTY_RATE = "memory_dirty_rate";
    public static final String MEMORY_PAGE_SIZE = "memory_page_size";
    public static final String MEMORY_BPS = "memory_bps";
    public static final String MEMORY_POSTCOPY_REQS = "memory_postcopy_requests";
    public static final String AUTO_CONVERGE_THROTTLE = "auto_converge_throttle";
    public static final String SUCCESS = "success";
    public static final String ERRMSG = "errmsg";

    private JobStats() {
    }

    /**
     * Interprets one virDomainGetJobStats answer.
     *
     * @param rawJobType the job type libvirt returned alongside the parameters
     * @param params     parameter name to value; may be null or empty
     */
    public static JobSample sample(int rawJobType, Map<String, ?> params) {
        Map<String, ?> p = params == null ? Map.of() : params;
        Long operation = unsigned(p, OPERATION);
        Long throttle = unsigned(p, AUTO_CONVERGE_THROTTLE);
        return new JobSample(
                JobType.fromLibvirt(rawJobType),
                operation == null ? null : JobOperation.fromLibvirt(operation),
                unsigned(p, TIME_ELAPSED),
                unsigned(p, TIME_REMAINING),
                unsigned(p, DOWNTIME),
                unsigned(p, DOWNTIME_NET),
                unsigned(p, SETUP_TIME),
                unsigned(p, DATA_TOTAL),
                unsigned(p, DATA_PROCESSED),
                unsigned(p, DATA_REMAINING),
                unsigned(p, MEMORY_TOTAL),
                unsigned(p, MEMORY_PROCESSED),
                unsigned(p, MEMORY_REMAINING),
                unsigned(p, MEMORY_ITERATION),
                unsigned(p, MEMORY_DIRTY_RATE),
                unsigned(p, MEMORY_PAGE_SIZE),
                unsigned(p, MEMORY_BPS),
                unsigned(p, MEMORY_POSTCOPY_REQS),
                throttle == null || throttle > 100 ? null : throttle.intValue(),
                bool(p, SUCCESS),
                text(p, ERRMSG));
    }

    /**
     * The result of a finished job from its completed-job statistics, or null when they hold no
     * job (libvirt answers type NONE once it has dropped them).
     *
     * @param completed   virDomainGetJobStats(VIR_DOMAIN_JOB_STATS_COMPLETED), parsed
     * @param wallClockMs the caller's own measure of the job, used when libvirt has no elapsed time
     * @param origin      which domain the statistics were read from
     */
    public static MigrationOutcome completed(JobSample completed, long wallClockMs, StatsOrigin origin) {
        if (completed == null || completed.jobType() == JobType.NONE) {
            return null;
        }
        OutcomeStatus status = statusOf(completed);
        return new MigrationOutcome(
                status,
                completed.timeElapsedMs() != null ? completed.timeElapsedMs() : Math.max(0, wallClockMs),
                completed.downtimeMs(),
                completed.setupTimeMs(),
                completed.bytesTransferred(),
                completed.memoryTotalBytes(),
                completed.memoryIteration(),
                completed.memoryPostcopyRequests(),
                status == OutcomeStatus.COMPLETED ? null : errorOf(completed),
                origin);
    }

    /**
     * The best result available without completed-job statistics: the last progress sample and
     * the caller's timing. Downtime is left out because while a job runs libvirt reports the
     * expected downtime, not the measured one.
     *
     * @param status      how the caller saw the job end
     * @param last        the last sample polled while the job was active, or null
     * @param wallClockMs the caller's own measure of the job
     * @param error       the failure, or null
     */
    public static MigrationOutcome fromLastSample(
            OutcomeStatus status, JobSample last, long wallClockMs, String error) {
        if (last == null) {
            return new MigrationOutcome(status, Math.max(0, wallClockMs),
                    null, null, null, null, null, null, error, StatsOrigin.NONE);
        }
        return new MigrationOutcome(
                status,
                Math.max(0, wallClockMs),
                null,
                last.setupTimeMs(),
                last.bytesTransferred(),
                last.memoryTotalBytes(),
                last.memoryIteration(),
                last.memoryPostcopyRequests(),
                error,
                StatsOrigin.LAST_PROGRESS_SAMPLE);
    }

    private static OutcomeStatus statusOf(JobSample completed) {
        if (Boolean.FALSE.equals(completed.success())) {
            return completed.jobType() == JobType.CANCELLED ? OutcomeStatus.CANCELLED : OutcomeStatus.FAILED;
        }
        return switch (completed.jobType()) {
            case FAILED -> OutcomeStatus.FAILED;
            case CANCELLED -> OutcomeStatus.CANCELLED;
            default -> OutcomeStatus.COMPLETED;
        };
    }

    private static String errorOf(JobSample completed) {
        if (completed.errorMessage() != null && !completed.errorMessage().isBlank()) {
            return completed.errorMessage();
        }
        return completed.jobType() == JobType.CANCELLED ? "migration job was cancelled" : "migration job failed";
    }

    /** A non-negative integer, or null. libvirt's ullongs beyond Long.MAX_VALUE are not real statistics. */
    private static Long unsigned(Map<String, ?> params, String name) {
        Object value = params.get(name);
        long result;
        if (value instanceof Double || value instanceof Float) {
            double d = ((Number) value).doubleValue();
            if (!Double.isFinite(d)) {
                return null;
            }
            result = (long) d;
        } else if (value instanceof Number number) {
            result = number.longValue();
        } else if (value instanceof String s) {
            try {
                result = Long.parseLong(s.trim());
            } catch (NumberFormatException e) {
                return null;
            }
        } else {
            return null;
        }
        return result < 0 ? null : result;
    }

    private static Boolean bool(Map<String, ?> params, String name) {
        Object value = params.get(name);
        if (value instanceof Boolean b) {
            return b;
        }
        if (value instanceof Number n) {
            return n.longValue() != 0;
        }
        return null;
    }

    private static String text(Map<String, ?> params, String name) {
        Object value = params.get(name);
        return value instanceof String s ? s : null;
    }
}
