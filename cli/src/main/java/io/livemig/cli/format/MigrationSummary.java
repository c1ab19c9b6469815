package io.livemig.cli.format;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.StatsOrigin;
import java.util.Locale;
import java.util.OptionalLong;

/** How migration progress and results are written for people and for scripts. */
public final class MigrationSummary {

    private static final double MIB = 1024.0 * 1024.0;
    /** Made on first use: a mapper costs a command that prints no JSON a noticeable part of its start. */
    private static final class Mapper {
        static final ObjectMapper JSON = new ObjectMapper();
    }

    /** The --json document. Nulls stay in, so that every key is always present. */
    record Json(
            String vm,
            String from,
            String to,
            String migrateUri,
            String flags,
            String status,
            long totalTimeMs,
            Long downtimeMs,
            Long setupTimeMs,
            Long bytesTransferred,
            Long memoryBytes,
            Long iterations,
            Long postcopyRequests,
            String error,
            String statsOrigin) {
    }

    private MigrationSummary() {
    }

    /** "1.8 s: iteration 1, 12.0 MiB remaining, dirty 32.0 MiB/s, bandwidth 112.0 MiB/s". */
    public static String progressLine(JobSample sample) {
        OptionalLong dirty = sample.memoryDirtyRateBytesPerSec();
        return String.format(Locale.ROOT, "%s s: iteration %s, %s MiB remaining, dirty %s MiB/s, bandwidth %s MiB/s",
                sample.timeElapsedMs() == null ? "?" : String.format(Locale.ROOT, "%.1f", sample.timeElapsedMs() / 1000.0),
                sample.memoryIteration() == null ? "?" : sample.memoryIteration().toString(),
                mib(sample.bytesRemaining()),
                dirty.isPresent() ? mib(dirty.getAsLong()) : "?",
                mib(sample.memoryBytesPerSec()));
    }

    /**
     * "migrated VM from X to Y: total 4312 ms, downtime 145 ms, 3 iterations, 310.2 MiB transferred
     * of 256.0 MiB memory"; figures libvirt did not report are "?".
     */
    public static String summary(MigrationRequest request, MigrationOutcome result) {
        Long iterations = result.iterations();
        String summary = String.format(Locale.ROOT,
                "migrated %s from %s to %s: total %d ms, downtime %s ms, %s %s, %s MiB transferred of %s MiB memory",
                request.vmName(), request.sourceUri(), request.destinationUri(),
                result.totalTimeMs(),
                result.downtimeMs() == null ? "?" : result.downtimeMs().toString(),
                iterations == null ? "?" : iterations.toString(),
                iterations != null && iterations == 1 ? "iteration" : "iterations",
                mib(result.bytesTransferred()),
                mib(result.memoryBytes()));
        if (result.origin() == StatsOrigin.LAST_PROGRESS_SAMPLE) {
            summary += " (libvirt kept no completed-job statistics; figures from the last progress sample)";
        }
        return summary;
    }

    /** One line for stderr when a migration did not succeed. */
    public static String failure(MigrationRequest request, MigrationOutcome result) {
        return String.format(Locale.ROOT, "migration of %s from %s to %s %s after %d ms: %s",
                request.vmName(), request.sourceUri(), request.destinationUri(),
                result.status().name().toLowerCase(Locale.ROOT), result.totalTimeMs(),
                result.error() == null ? "no reason given" : oneLine(result.error()));
    }

    public static String json(MigrationRequest request, MigrationOutcome result) {
        Json doc = new Json(request.vmName(), request.sourceUri(), request.destinationUri(), request.migrateUri(),
                request.flags().toString(), result.status().name(), result.totalTimeMs(), result.downtimeMs(),
                result.setupTimeMs(), result.bytesTransferred(), result.memoryBytes(), result.iterations(),
                result.postcopyRequests(), result.error(), result.origin().name());
        try {
            return Mapper.JSON.writeValueAsString(doc);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON for " + doc, e);
        }
    }

    public static String oneLine(String text) {
        return text.replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static String mib(Long bytes) {
        return bytes == null ? "?" : mib(bytes.longValue());
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f", bytes / MIB);
    }
}
