package io.livemig.common.predict;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The runs of the classic experiment measured on the lab (docs/benchmarks/classic/runs): a 256 MiB
 * guest rewriting 128 MiB at 4, 16, 28 and 48 MiB/s over a 32 MiB/s link, each mode three times.
 */
final class ClassicRuns {

    static final Path DIR = Path.of("../docs/benchmarks/classic/runs");
    static final long MIB = 1024L * 1024;

    private ClassicRuns() {}

    /** One run: its plan, outcome and job samples. */
    record Run(String id, String mode, boolean baseline, boolean warmup, String status, int memMib, int dirtyMib,
            int dirtyRateMibps, int linkMibps, long maxDowntimeMs, long totalMs, long bytes, List<Sample> samples) {

        boolean succeeded() {
            return status.equals("succeeded");
        }
    }

    /** One job sample as the agent recorded it. */
    record Sample(long elapsedMs, String phase, long iteration, long processed, long remaining, long dirtyRate) {

        JobProgress job() {
            return new JobProgress(elapsedMs, processed, remaining, dirtyRate, iteration, phase.equals("postcopy"));
        }
    }

    static List<Run> all() {
        ObjectMapper json = new ObjectMapper();
        try (Stream<Path> files = Files.list(DIR)) {
            List<Run> runs = new ArrayList<>();
            for (Path f : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                runs.add(run(json.readTree(f.toFile())));
            }
            return runs;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Run byId(String id) {
        return all().stream().filter(r -> r.id().equals(id)).findFirst().orElseThrow();
    }

    private static Run run(JsonNode n) {
        JsonNode p = n.get("plan");
        List<Sample> samples = new ArrayList<>();
        for (JsonNode s : n.get("samples")) {
            samples.add(new Sample(s.get("elapsed_ms").asLong(), s.get("phase").asText(), s.get("iteration").asLong(),
                    s.get("bytes_processed").asLong(), s.get("bytes_remaining").asLong(),
                    s.get("dirty_rate_bytes_per_s").asLong()));
        }
        return new Run(p.get("id").asText(), p.get("mode").asText(), p.get("baseline").asBoolean(),
                p.get("warmup").asBoolean(), n.get("status").asText(), p.get("mem_mib").asInt(),
                p.get("dirty_mib").asInt(), p.get("dirty_rate_mibps").asInt(), p.get("link_mibps").asInt(),
                p.get("max_downtime_ms").asLong(), n.get("total_ms").asLong(), n.get("bytes_transferred").asLong(),
                samples);
    }

    /**
     * The guest's non-zero memory, learned from its stop-and-copy migrations: one pass with the
     * guest paused, so their bytes are the non-zero memory (and a few headers). The median.
     */
    static Figure nonZeroLearned(List<Run> runs) {
        long[] bytes = runs.stream().filter(r -> r.mode().equals("stopcopy") && r.succeeded())
                .mapToLong(Run::bytes).sorted().toArray();
        long median = bytes.length % 2 == 1 ? bytes[bytes.length / 2]
                : (bytes[bytes.length / 2 - 1] + bytes[bytes.length / 2]) / 2;
        return Figure.learned(median);
    }

    /** The inputs of a run's cell: its plan's figures, the learned non-zero memory. */
    static PredictionInputs inputs(Run r, Figure nonZero) {
        return PredictionInputs.builder((long) r.memMib() * MIB, Figure.measured((long) r.dirtyRateMibps() * MIB),
                (long) r.linkMibps() * MIB, r.maxDowntimeMs() == 0 ? 300 : r.maxDowntimeMs(),
                MigrationPredictorTest.LADDER)
                .nonZero(nonZero).workingSet(Figure.measured((long) r.dirtyMib() * MIB)).build();
    }

    static MigrationMode mode(Run r) {
        return switch (r.mode()) {
            case "precopy" -> MigrationMode.PRECOPY;
            case "stopcopy" -> MigrationMode.STOP_AND_COPY;
            case "postcopy" -> MigrationMode.POSTCOPY;
            case "auto" -> MigrationMode.AUTO;
            default -> throw new IllegalArgumentException(r.mode());
        };
    }
}
