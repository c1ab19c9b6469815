package io.livemig.cli.experiment;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.livemig.cli.experiment.ExperimentSpec.Guest;
import io.livemig.cli.experiment.ExperimentSpec.ModeSpec;
import io.livemig.cli.experiment.ExperimentSpec.Workload;
import io.livemig.common.config.ConfigException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ExperimentSpecTest {

    static final String FULL = """
            name: quick
            source: lab-a
            target: lab-b
            seed: 42
            repetitions: 2
            warmup: false
            guest: {mem_mib: 256, vcpus: 2, content: compressible}
            workloads:
              - {dirty_mib: 64, dirty_rate_mibps: 8}
              - {dirty_mib: 64, dirty_rate_mibps: 32}
            links_mibps: [32, 0]
            modes:
              - {mode: precopy, max_downtime_ms: 300, timeout_s: 120}
              - {mode: postcopy}
            baseline: false
            ping_interval_ms: 20
            steady_ms: 23000
            """;

    static final String MINIMAL = """
            name: min
            source: lab-a
            target: lab-b
            repetitions: 1
            guest: {mem_mib: 128}
            workloads: [{dirty_mib: 0, dirty_rate_mibps: 0}]
            links_mibps: [0]
            modes: [{mode: stopcopy}]
            """;

    @TempDir
    Path dir;

    private Path file(String yaml) throws Exception {
        Path f = dir.resolve("spec.yaml");
        Files.writeString(f, yaml);
        return f;
    }

    @Test
    void readsEveryKey() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(file(FULL));
        assertEquals(new ExperimentSpec("quick", "lab-a", "lab-b", OptionalLong.of(42), 2, false,
                new Guest(256, 2, "compressible"),
                List.of(new Workload(64, 8), new Workload(64, 32)), List.of(32, 0),
                List.of(new ModeSpec("precopy", 300, 120, ""), new ModeSpec("postcopy", 0, 0, "")), false, 20, 23000), s);
        assertEquals(256L * 1024 * 1024, s.memBytes());
        assertEquals(120, s.mode("precopy").orElseThrow().timeoutS());
        assertTrue(s.mode("auto").isEmpty());
        assertEquals("d64r32", s.workloads().get(1).label());
    }

    @Test
    void fillsDefaults() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(file(MINIMAL));
        assertEquals(OptionalLong.empty(), s.seed());
        assertTrue(s.warmup());
        assertTrue(s.baseline());
        assertEquals(10, s.pingIntervalMs());
        assertEquals(5200, s.steadyMs());
        assertEquals(new Guest(128, 1, "random"), s.guest());
        assertEquals(new ModeSpec("stopcopy", 0, 0, ""), s.modes().get(0));
    }

    @Test
    void autoTakesAnObjectiveSafeByDefaultAndTheOtherModesNone() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(file(FULL.replace("  - {mode: postcopy}\n",
                "  - {mode: postcopy}\n  - {mode: auto, max_downtime_ms: 300, objective: fastest}\n")));
        assertEquals(new ModeSpec("auto", 300, 0, "fastest"), s.mode("auto").orElseThrow());
        assertEquals("", s.mode("postcopy").orElseThrow().objective());
        assertEquals("", s.mode("precopy").orElseThrow().objective());
        Path out = dir.resolve("exp");
        Results.writeSpecCopy(out, s, 42);
        assertEquals(s, ExperimentSpec.load(out.resolve("spec.yaml")));

        ExperimentSpec safe = ExperimentSpec.load(file(FULL.replace("  - {mode: postcopy}\n",
                "  - {mode: postcopy}\n  - {mode: auto}\n")));
        assertEquals("safe", safe.mode("auto").orElseThrow().objective());
        // The default is written out, so that the copy says what auto was given.
        Results.writeSpecCopy(out, safe, 42);
        assertTrue(Files.readString(out.resolve("spec.yaml")).contains("objective: safe"));
        assertEquals(safe, ExperimentSpec.load(out.resolve("spec.yaml")));
    }

    @Test
    void writtenCopyReadsBackWithTheSeed() throws Exception {
        ExperimentSpec s = ExperimentSpec.load(file(MINIMAL));
        Path out = dir.resolve("exp");
        Results.writeSpecCopy(out, s, -7L);
        ExperimentSpec back = ExperimentSpec.load(out.resolve("spec.yaml"));
        assertEquals(s.withSeed(-7L), back);
        assertEquals(OptionalLong.of(-7L), back.seed());

        ExperimentSpec full = ExperimentSpec.load(file(FULL));
        Results.writeSpecCopy(out, full, 42);
        assertEquals(full, ExperimentSpec.load(out.resolve("spec.yaml")));
    }

    /** Each bad file gets one line naming the file and the key. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "name: quick | name: Quick | name is required",
        "name: quick | name: 'a b' | name is required and must be",
        "source: lab-a | source: '' | source is required",
        "target: lab-b | target: lab-a | source and target are both 'lab-a'",
        "repetitions: 2 | repetitions: 0 | repetitions is required and must be 1..1000, got 0",
        "repetitions: 2 | repetitionz: 2 | spec.yaml:5: unknown key 'repetitionz'",
        "repetitions: 2 | repetitions: two | spec.yaml:5:",
        "mem_mib: 256 | mem_mib: 32 | guest.mem_mib is required and must be 64..8192, got 32",
        "mem_mib: 256 | mem_mib: 9000 | guest.mem_mib is required and must be 64..8192, got 9000",
        "vcpus: 2 | vcpus: 0 | guest.vcpus must be 1..64",
        "content: compressible | content: zeros | guest.content must be one of random, compressible, got 'zeros'",
        "content: compressible | colour: red | spec.yaml:7: unknown key 'colour'",
        "{dirty_mib: 64, dirty_rate_mibps: 8} | {dirty_mib: 225, dirty_rate_mibps: 8} | workloads[0].dirty_mib is required and must be 0..224 (guest.mem_mib - 32), got 225",
        "{dirty_mib: 64, dirty_rate_mibps: 8} | {dirty_rate_mibps: 8} | workloads[0].dirty_mib is required",
        "{dirty_mib: 64, dirty_rate_mibps: 32} | {dirty_mib: 64, dirty_rate_mibps: 2000} | workloads[1].dirty_rate_mibps is required and must be 0..1024, got 2000",
        "{dirty_mib: 64, dirty_rate_mibps: 32} | {dirty_mib: 64, dirty_rate_mibps: 8} | workloads[1] repeats workload d64r8",
        "links_mibps: [32, 0] | links_mibps: [] | links_mibps is required",
        "links_mibps: [32, 0] | links_mibps: [32, -1] | links_mibps[1] must be 0..100000, got -1",
        "links_mibps: [32, 0] | links_mibps: [32, 100001] | links_mibps[1] must be 0..100000, got 100001",
        "links_mibps: [32, 0] | links_mibps: [32, 32] | links_mibps[1] repeats 32",
        "{mode: postcopy} | {mode: hybrid} | modes[1].mode is required and must be one of precopy, stopcopy, postcopy, auto, got 'hybrid'",
        "{mode: postcopy} | {mode: precopy} | modes[1].mode precopy is listed twice",
        "{mode: postcopy} | {mode: postcopy, max_downtime_ms: 0} | modes[1].max_downtime_ms must be 1..60000, got 0",
        "{mode: postcopy} | {mode: postcopy, timeout_s: 0} | modes[1].timeout_s must be 1..86400",
        "{mode: postcopy} | {mode: postcopy, max_downtime_ms: 60001} | modes[1].max_downtime_ms must be 1..60000, got 60001",
        "{mode: postcopy} | {mode: postcopy, timeout_s: 86401} | modes[1].timeout_s must be 1..86400, got 86401",
        "source: lab-a | source: lab/a | source is required and must be a host name of the cluster, got 'lab/a'",
        "ping_interval_ms: 20 | ping_interval_ms: 500 | ping_interval_ms must be 1..200, got 500",
        "steady_ms: 23000 | steady_ms: -1 | steady_ms must be 0..600000, got -1",
        "{mode: postcopy} | {mode: postcopy, objective: fastest} | modes[1].objective is for mode auto only, got objective fastest for mode postcopy",
        "{mode: postcopy} | {mode: auto, objective: quickest} | modes[1].objective must be one of safe, fastest, got 'quickest'",
        "{mode: postcopy} | {mode: auto, objective: FASTEST} | modes[1].objective must be one of safe, fastest, got 'FASTEST'",
    })
    void refusesBadValuesNamingFileAndKey(String good, String bad, String expected) throws Exception {
        assertTrue(FULL.contains(good), good);
        Path f = file(FULL.replace(good, bad));
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentSpec.load(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertEquals(1, e.getMessage().lines().count(), e.getMessage());
    }

    @Test
    void refusesMissingSections() throws Exception {
        for (String key : List.of("name", "source", "target", "repetitions", "guest", "workloads", "links_mibps", "modes")) {
            // The key's line and, for a block list, its entries.
            String yaml = FULL.replaceAll("(?m)^" + key + ":.*\\n(  - .*\\n)*", "");
            assertFalse(yaml.contains(key + ":"), yaml);
            Path f = file(yaml);
            ConfigException e = assertThrows(ConfigException.class, () -> ExperimentSpec.load(f), key);
            assertTrue(e.getMessage().contains(key + " is required"), e.getMessage());
        }
    }

    @Test
    void namesAMissingFile() {
        ConfigException e = assertThrows(ConfigException.class, () -> ExperimentSpec.load(dir.resolve("nope.yaml")));
        assertTrue(e.getMessage().contains("nope.yaml: no such file"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
    }
}
