package io.livemig.agent.core;

import java.util.OptionalLong;

/**
 * One reading of a domain job's statistics, as returned by libvirt's virDomainGetJobStats.
 *
 * <p>libvirt reports only the fields that apply to the job and the hypervisor, so every statistic
 * is nullable: {@code null} means "not reported", never zero. Times are milliseconds, sizes bytes.
 *
 * @param jobType                    the job's state
 * @param operation                  what started the job, or null
 * @param timeElapsedMs              time since the job started
 * @param timeRemainingMs            estimated time left (bounded jobs only)
 * @param downtimeMs                 expected downtime while running; the measured downtime
 *                                   (guest CPUs paused until resumed) once completed
 * @param downtimeNetMs              measured downtime without the hand-over between hosts
 * @param setupTimeMs                time spent before the first iteration
 * @param dataTotalBytes             total bytes to transfer
 * @param dataProcessedBytes         bytes transferred so far
 * @param dataRemainingBytes         bytes still to transfer
 * @param memoryTotalBytes           guest memory size
 * @param memoryProcessedBytes       memory bytes transferred so far
 * @param memoryRemainingBytes       memory bytes still to transfer
 * @param memoryIteration            pass over guest memory, 0 for the first
 * @param memoryDirtyRatePagesPerSec pages the guest dirties per second
 * @param memoryPageSizeBytes        page size to convert page counts to bytes
 * @param memoryBytesPerSec          network throughput while migrating memory
 * @param memoryPostcopyRequests     pages the destination requested during post-copy
 * @param autoConvergeThrottlePercent how much auto-convergence throttles the guest CPUs
 * @param success                    whether a completed job succeeded (completed stats only)
 * @param errorMessage               why a completed job failed (completed stats only)
 */
public record JobSample(
        JobType jobType,
        JobOperation operation,
        Long timeElapsedMs,
        Long timeRemainingMs,
        Long downtimeMs,
        Long downtimeNetMs,
        Long setupTimeMs,
        Long dataTotalBytes,
        Long dataProcessedBytes,
        Long dataRemainingBytes,
        Long memoryTotalBytes,
        Long memoryProcessedBytes,
        Long memoryRemainingBytes,
        Long memoryIteration,
        Long memoryDirtyRatePagesPerSec,
        Long memoryPageSizeBytes,
        Long memoryBytesPerSec,
        Long memoryPostcopyRequests,
        Integer autoConvergeThrottlePercent,
        Boolean success,
        String errorMessage) {

    /** Used when QEMU does not report its page size; the page size of x86_64 guests. */
    public static final long DEFAULT_PAGE_SIZE_BYTES = 4096;

    public JobSample {
        if (jobType == null) {
            jobType = JobType.UNKNOWN;
        }
    }

    /** The guest's dirty rate in bytes per second, if libvirt reported one. */
    public OptionalLong memoryDirtyRateBytesPerSec() {
        if (memoryDirtyRatePagesPerSec == null) {
            return OptionalLong.empty();
        }
        long pageSize = memoryPageSizeBytes != null ? memoryPageSizeBytes : DEFAULT_PAGE_SIZE_BYTES;
        return OptionalLong.of(memoryDirtyRatePagesPerSec * pageSize);
    }

    /** Bytes transferred: all data if reported, otherwise memory only. */
    public Long bytesTransferred() {
        return dataProcessedBytes != null ? dataProcessedBytes : memoryProcessedBytes;
    }

    /** Bytes still to send: all data if reported, otherwise memory only. */
    public Long bytesRemaining() {
        return dataRemainingBytes != null ? dataRemainingBytes : memoryRemainingBytes;
    }
}
