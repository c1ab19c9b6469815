package io.livemig.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.HypervisorException.Reason;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.JobStats;
import io.livemig.agent.core.MigrationOutcome;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.OutcomeStatus;
import io.livemig.agent.core.StatsOrigin;
import io.livemig.agent.grpc.FakeHypervisor;
import io.livemig.agent.libvirt.LibvirtHypervisor;
import io.livemig.cli.client.AgentChannels;
import io.livemig.cli.client.ClientEnvironment;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class MainTest {

    private static final String A = "qemu+tcp://10.213.77.11/system";
    private static final String B = "qemu+tcp://10.213.77.12/system";
    private static final long MIB = 1024 * 1024;

    private static final List<JobSample> SAMPLES = List.of(
            JobStats.sample(2, Map.of("time_elapsed", 250L, "memory_iteration", 0L,
                    "memory_remaining", 200 * MIB, "memory_bps", 100 * MIB)),
            JobStats.sample(2, Map.of("time_elapsed", 1834L, "memory_iteration", 1L, "data_remaining", 12 * MIB,
                    "memory_dirty_rate", 8192L, "memory_page_size", 4096L, "memory_bps", 112 * MIB)));

    private static final MigrationOutcome COMPLETED = new MigrationOutcome(OutcomeStatus.COMPLETED, 4312, 145L, 9L,
            325_268_684L, 256 * MIB, 3L, null, null, StatsOrigin.DESTINATION_COMPLETED_JOB);

    record Run(int exitCode, String out, String err) {
        List<String> errLines() {
            return err.isEmpty() ? List.of() : List.of(err.split("\n"));
        }
    }

    private static Run run(Hypervisor hypervisor, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.execute(() -> hypervisor, AgentChannels.secured(), false, ClientEnvironment.system(),
                new PrintWriter(out, true), new PrintWriter(err, true), args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void migratesAndPrintsProgressAndSummary() {
        FakeHypervisor fake = FakeHypervisor.replaying(SAMPLES, COMPLETED);
        Run run = run(fake, "direct-migrate", "vm1", "--from", A, "--to", B);

        assertEquals(0, run.exitCode(), run.err());
        assertEquals("migrated vm1 from " + A + " to " + B + ": total 4312 ms, downtime 145 ms, 3 iterations, "
                + "310.2 MiB transferred of 256.0 MiB memory\n", run.out());
        assertEquals(List.of(
                "0.3 s: iteration 0, 200.0 MiB remaining, dirty ? MiB/s, bandwidth 100.0 MiB/s",
                "1.8 s: iteration 1, 12.0 MiB remaining, dirty 32.0 MiB/s, bandwidth 112.0 MiB/s"), run.errLines());

        MigrationRequest request = fake.requests.get(0);
        assertEquals("tcp:10.213.77.12", request.migrateUri());
        assertEquals(1 | 8 | 16, request.flags().toLibvirt());
    }

    @Test
    void passesAnExplicitMigrationUri() {
        FakeHypervisor fake = FakeHypervisor.replaying(List.of(), COMPLETED);
        Run run = run(fake, "direct-migrate", "vm1", "--from", A, "--to", B, "--migrate-uri", "tcp:192.168.7.2:49152");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals("tcp:192.168.7.2:49152", fake.requests.get(0).migrateUri());
        assertEquals(0, fake.requests.get(0).bandwidthMiBps());
    }

    @Test
    void passesABandwidthLimit() {
        FakeHypervisor fake = FakeHypervisor.replaying(List.of(), COMPLETED);
        Run run = run(fake, "direct-migrate", "vm1", "--from", A, "--to", B, "--bandwidth", "30");
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(30, fake.requests.get(0).bandwidthMiBps());
    }

    @Test
    void printsJsonWhenAsked() throws Exception {
        Run run = run(FakeHypervisor.replaying(SAMPLES, COMPLETED), "direct-migrate", "vm1", "--from", A, "--to", B, "--json");

        assertEquals(0, run.exitCode(), run.err());
        JsonNode json = new ObjectMapper().readTree(run.out());
        assertEquals("vm1", json.get("vm").asText());
        assertEquals(A, json.get("from").asText());
        assertEquals(B, json.get("to").asText());
        assertEquals("COMPLETED", json.get("status").asText());
        assertEquals(4312, json.get("totalTimeMs").asLong());
        assertEquals(145, json.get("downtimeMs").asLong());
        assertEquals(3, json.get("iterations").asLong());
        assertEquals(325_268_684L, json.get("bytesTransferred").asLong());
        assertTrue(json.get("error").isNull());
        assertTrue(json.get("postcopyRequests").isNull());
        assertEquals("LIVE|PERSIST_DEST|UNDEFINE_SOURCE", json.get("flags").asText());
        assertEquals(1, run.out().strip().lines().count(), "one JSON document on one line");
    }

    @Test
    void aFailedMigrationExitsWithOneAndOneErrorLine() throws Exception {
        MigrationOutcome failed = JobStats.fromLastSample(OutcomeStatus.FAILED, SAMPLES.get(1), 2000,
                "operation failed: migration out job: unexpectedly failed");
        Run run = run(FakeHypervisor.replaying(SAMPLES, failed), "direct-migrate", "vm1", "--from", A, "--to", B);

        assertEquals(1, run.exitCode());
        assertEquals("", run.out());
        assertEquals("livemig: migration of vm1 from " + A + " to " + B
                + " failed after 2000 ms: operation failed: migration out job: unexpectedly failed",
                run.errLines().get(run.errLines().size() - 1));

        Run json = run(FakeHypervisor.replaying(List.of(), failed), "direct-migrate", "vm1", "--from", A, "--to", B, "--json");
        assertEquals(1, json.exitCode());
        assertEquals("FAILED", new ObjectMapper().readTree(json.out()).get("status").asText());
    }

    static Stream<Arguments> badUsage() {
        return Stream.of(
                Arguments.of(List.of(), "Missing required subcommand"),
                Arguments.of(List.of("direct-migrate"), "Missing required"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A), "Missing required option: '--to=URI'"),
                Arguments.of(List.of("direct-migrate", "vm1", "--to", B), "Missing required option: '--from=URI'"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A, "--to", B, "--bogus"), "Unknown option: '--bogus'"),
                Arguments.of(List.of("no-such-command"), "Unmatched argument"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A, "--to", A), "source and destination are the same"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A, "--to", B, "--migrate-uri", "10.213.77.12"),
                        "migration URI must look like tcp:"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A, "--to", B, "--bandwidth", "-5"),
                        "--bandwidth must be 0..100000, got -5"),
                Arguments.of(List.of("direct-migrate", "vm1", "--from", A, "--to", B, "--bandwidth", "fast"),
                        "Invalid value for option '--bandwidth'"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badUsage")
    void badUsageExitsWithTwoAndOneLine(List<String> args, String problem) {
        FakeHypervisor fake = FakeHypervisor.replaying(List.of(), COMPLETED);
        Run run = run(fake, args.toArray(String[]::new));

        assertEquals(2, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().contains(problem), run.err());
        assertEquals("", run.out());
        assertTrue(fake.requests.isEmpty());
    }

    static Stream<Arguments> hypervisorErrors() {
        return Stream.of(
                Arguments.of(Reason.HOST_UNAVAILABLE, "cannot connect to " + A + ": Connection refused", 3),
                Arguments.of(Reason.VM_NOT_FOUND, "no VM named 'vm1' on " + A, 2),
                Arguments.of(Reason.INVALID_REQUEST, "VM 'vm1' is not running on " + A, 2),
                Arguments.of(Reason.OPERATION_FAILED, "cannot look up VM 'vm1' on " + A + ": internal error", 1));
    }

    @ParameterizedTest(name = "{0} -> exit {2}")
    @MethodSource("hypervisorErrors")
    void hypervisorErrorsMapToExitCodes(Reason reason, String message, int exitCode) {
        Run run = run(FakeHypervisor.throwing(new HypervisorException(reason, message)),
                "direct-migrate", "vm1", "--from", A, "--to", B);
        assertEquals(exitCode, run.exitCode());
        assertEquals(List.of("livemig: " + message), run.errLines());
        assertEquals("", run.out());
    }

    @Test
    void anUnreachableHostIsOneLineAndExitThree() {
        // The real adapter: connection refused by a closed local port (or no libvirt installed at all).
        Run run = run(new LibvirtHypervisor(), "direct-migrate", "vm1",
                "--from", "qemu+tcp://127.0.0.1:1/system", "--to", "qemu+tcp://127.0.0.1:2/system");

        assertEquals(3, run.exitCode(), run.err());
        assertEquals(1, run.errLines().size(), run.err());
        assertTrue(run.err().startsWith("livemig: "), run.err());
        assertTrue(run.err().contains("127.0.0.1:1") || run.err().contains("libvirt client library"), run.err());
        assertFalse(run.err().contains("\tat "), "no stack trace");
        assertEquals("", run.out());
    }

    @Test
    void versionIsPrintedBothWays() {
        Run sub = run(FakeHypervisor.replaying(List.of(), COMPLETED), "version");
        Run option = run(FakeHypervisor.replaying(List.of(), COMPLETED), "--version");
        assertEquals(0, sub.exitCode());
        assertEquals(0, option.exitCode());
        assertTrue(sub.out().startsWith("livemig "), sub.out());
        assertEquals(sub.out(), option.out());
    }

    @Test
    void helpDocumentsTheExitCodes() {
        for (String[] args : new String[][] {{"--help"}, {"direct-migrate", "--help"}}) {
            Run run = run(FakeHypervisor.replaying(List.of(), COMPLETED), args);
            assertEquals(0, run.exitCode());
            assertTrue(run.out().contains("Exit codes:"), run.out());
            for (String code : List.of("0", "1", "2", "3")) {
                assertTrue(run.out().lines().anyMatch(l -> l.strip().startsWith(code + " ")), run.out());
            }
        }
    }

    /** Refused before libvirt is asked anything; one line, exit 2. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
        "a/b  | 0       | livemig: VM name 'a/b' contains '/'",
        "vm1  | -5      | livemig: --bandwidth must be 0..100000, got -5",
        "vm1  | 100001  | livemig: --bandwidth must be 0..100000, got 100001",
    })
    void directMigrateRefusesBadInputBeforeCallingLibvirt(String vm, String bandwidth, String line) {
        FakeHypervisor fake = FakeHypervisor.replaying(SAMPLES, COMPLETED);
        Run run = run(fake, "direct-migrate", vm, "--from", A, "--to", B, "--bandwidth", bandwidth);
        assertEquals(2, run.exitCode(), run.err());
        assertEquals(line + "\n", run.err());
        assertEquals(List.of(), fake.requests);
    }
}
