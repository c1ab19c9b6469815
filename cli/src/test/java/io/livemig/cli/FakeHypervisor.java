package io.livemig.cli;

import io.livemig.agent.core.CpuComparison;
import io.livemig.agent.core.HostInfo;
import io.livemig.agent.core.Hypervisor;
import io.livemig.agent.core.HypervisorException;
import io.livemig.agent.core.JobSample;
import io.livemig.agent.core.MigrationRequest;
import io.livemig.agent.core.MigrationResult;
import io.livemig.agent.core.PostcopyFailedState;
import io.livemig.agent.core.VmInfo;
import io.livemig.agent.core.migration.MigrationJob;
import io.livemig.agent.core.migration.MigrationSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Replays scripted progress samples and then returns a scripted result, or throws. */
final class FakeHypervisor implements Hypervisor {

    final List<MigrationRequest> requests = new ArrayList<>();
    private final List<JobSample> samples;
    private final MigrationResult result;
    private final HypervisorException failure;

    private FakeHypervisor(List<JobSample> samples, MigrationResult result, HypervisorException failure) {
        this.samples = samples;
        this.result = result;
        this.failure = failure;
    }

    static FakeHypervisor replaying(List<JobSample> samples, MigrationResult result) {
        return new FakeHypervisor(samples, result, null);
    }

    static FakeHypervisor throwing(HypervisorException failure) {
        return new FakeHypervisor(List.of(), null, failure);
    }

    @Override
    public MigrationResult migrate(MigrationRequest request, Consumer<JobSample> progress) throws HypervisorException {
        requests.add(request);
        if (failure != null) {
            throw failure;
        }
        samples.forEach(progress);
        return result;
    }

    @Override
    public MigrationJob startMigration(MigrationSpec spec) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public HostInfo hostInfo(String hostUri) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public List<VmInfo> listVms(String hostUri, boolean activeOnly) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public Optional<VmInfo> findVm(String hostUri, String vmName) {
        throw new UnsupportedOperationException("not scripted");
    }

    @Override
    public String domainXml(String hostUri, String vmName, boolean migratable) {
        throw new UnsupportedOperationException("not used by the CLI tests");
    }

    @Override
    public boolean resumeIfPaused(String hostUri, String vmName) {
        throw new UnsupportedOperationException("not used by the CLI tests");
    }

    /** CPU features this host's hypervisor lacks: a guest CPU that requires one is incompatible. */
    final Set<String> missingCpuFeatures = new HashSet<>();

    @Override
    public CpuComparison compareCpu(String hostUri, String virtType, String arch, String cpuXml) {
        for (String feature : missingCpuFeatures) {
            if (cpuXml.contains("'" + feature + "'") || cpuXml.contains("\"" + feature + "\"")) {
                return new CpuComparison(CpuComparison.Verdict.INCOMPATIBLE,
                        "Host CPU does not provide required features: " + feature);
            }
        }
        return new CpuComparison(CpuComparison.Verdict.SUPERSET,
                "the " + virtType + " CPU of this host provides it");
    }

    @Override
    public Optional<PostcopyFailedState> postcopyFailedState(String hostUri, String vmName) {
        return Optional.empty();
    }

    @Override
    public Map<String, Long> dirtyRates(String hostUri, List<String> vmNames) {
        return Map.of();
    }
}
