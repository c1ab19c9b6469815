package io.livemig.orchestrator.service;

import io.livemig.common.config.HostConfig;
import io.livemig.proto.agent.v1.Binding;
import io.livemig.proto.agent.v1.HostInfo;
import io.livemig.proto.agent.v1.JobSnapshot;
import io.livemig.proto.agent.v1.MigrationMode;
import io.livemig.proto.agent.v1.MigrationOptions;
import io.livemig.proto.agent.v1.MigrationPhase;
import io.livemig.proto.agent.v1.MigrationProgress;
import io.livemig.proto.agent.v1.MigrationResult;
import io.livemig.proto.agent.v1.MigrationStatus;
import io.livemig.proto.agent.v1.Vm;
import io.livemig.proto.agent.v1.VmState;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * Agents in memory: hosts with running VMs and loads, and migrations the test ends when it wants
 * ({@link #complete}, {@link #fail}); a completed migration moves the VM to its target.
 */
public final class FakeAgents implements Agents {

    public static final long GIB = 1L << 30;

    public record FakeMigration(String id, String vm, String source, String target, MigrationOptions options,
            CompletableFuture<MigrationResult> result) {}

    private final Map<String, HostInfo> hostInfo = new ConcurrentHashMap<>();
    private final Map<String, List<Vm>> vms = new ConcurrentHashMap<>();
    public final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    public final Set<String> refuseStart = ConcurrentHashMap.newKeySet();
    public final List<FakeMigration> started = new CopyOnWriteArrayList<>();
    /** Agent-side results kept for GetMigration (what a restarted orchestrator asks). */
    public final Map<String, MigrationProgress> known = new ConcurrentHashMap<>();
    /** Every started migration, for tests that wait for the next start. */
    private final BlockingQueue<FakeMigration> starts = new LinkedBlockingQueue<>();

    public FakeAgents host(String name, int cpus, long memoryBytes, double guestCpu) {
        hostInfo.put(name, HostInfo.newBuilder().setClusterHostName(name).setCpus(cpus).setMemoryTotalBytes(memoryBytes)
                .setMemoryFreeBytes(memoryBytes).setGuestCpuUtilisation(guestCpu).setCpuModel("qemu64").build());
        vms.putIfAbsent(name, new CopyOnWriteArrayList<>());
        return this;
    }

    public FakeAgents vm(String host, String name, long memoryBytes, double cpu, String bridge) {
        return vm(host, name, memoryBytes, cpu, bridge, 0);
    }

    public FakeAgents vm(String host, String name, long memoryBytes, double cpu, String bridge, long dirtyBytesPerSec) {
        vms.get(host).add(Vm.newBuilder().setName(name).setUuid("u-" + name).setState(VmState.VM_STATE_RUNNING)
                .setMemoryBytes(memoryBytes).setVcpus(1).setCpuUtilisation(cpu).setDirtyRateBytesPerS(dirtyBytesPerSec)
                .addBindings(Binding.newBuilder().setKind("nic").setDevice("52:54:00:00:00:01").setResource(bridge))
                .build());
        HostInfo info = hostInfo.get(host);
        hostInfo.put(host, info.toBuilder().setMemoryFreeBytes(info.getMemoryFreeBytes() - memoryBytes)
                .setMemoryCommittedBytes(info.getMemoryCommittedBytes() + memoryBytes)
                .setGuestCpuUtilisation(info.getGuestCpuUtilisation() + cpu / info.getCpus()).build());
        return this;
    }

    public Optional<String> whereIs(String vm) {
        return vms.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(v -> v.getName().equals(vm)))
                .map(Map.Entry::getKey).findFirst();
    }

    private void reachable(HostConfig host) throws AgentCallException {
        if (unreachable.contains(host.name())) {
            throw new AgentCallException("agent of " + host.name() + ": connection refused", false, null);
        }
    }

    @Override
    public HostInfo hostInfo(HostConfig host) throws AgentCallException {
        reachable(host);
        return hostInfo.get(host.name());
    }

    @Override
    public List<Vm> runningVms(HostConfig host) throws AgentCallException {
        reachable(host);
        return List.copyOf(vms.get(host.name()));
    }

    @Override
    public synchronized String startMigration(HostConfig source, String vm, HostConfig target, MigrationOptions options)
            throws AgentCallException {
        reachable(source);
        if (refuseStart.contains(vm)) {
            throw new AgentCallException("agent of " + source.name() + ": target refused: not enough memory", true, null);
        }
        String id = "agent-" + (started.size() + 1);
        FakeMigration m = new FakeMigration(id, vm, source.name(), target.name(), options, new CompletableFuture<>());
        started.add(m);
        known.put(id, MigrationProgress.newBuilder().setMigrationId(id).setVmName(vm)
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING).build());
        starts.add(m); // last: a test that ends it now must not be overwritten by the line above
        return id;
    }

    /** The next migration an agent starts; fails the test after 10 s. */
    public FakeMigration awaitStart() throws InterruptedException {
        FakeMigration m = starts.poll(10, TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no migration started within 10 s (started: " + started + ")");
        }
        return m;
    }

    /** The next migration an agent starts within {@code ms}, or null. */
    public FakeMigration pollStart(long ms) throws InterruptedException {
        return starts.poll(ms, TimeUnit.MILLISECONDS);
    }

    public FakeMigration migration(String vm) {
        return started.stream().filter(m -> m.vm().equals(vm)).reduce((a, b) -> b).orElseThrow();
    }

    /** Ends the VM's latest migration successfully: the VM moves to the target. */
    public void complete(String vm) {
        FakeMigration m = migration(vm);
        Vm moved = vms.get(m.source()).stream().filter(v -> v.getName().equals(vm)).findFirst().orElseThrow();
        vms.get(m.source()).remove(moved);
        vms.get(m.target()).add(moved);
        end(m, MigrationResult.newBuilder().setStatus(MigrationStatus.MIGRATION_STATUS_SUCCEEDED)
                .setModeRequested(m.options().getMode()).setModeUsed(MigrationMode.MIGRATION_MODE_PRECOPY)
                .setTotalMs(1500).setDowntimeMs(40).setSetupMs(5).setMemoryBytes(moved.getMemoryBytes())
                .setBytesTransferred(moved.getMemoryBytes() + (8 << 20)).setIterations(3).build());
    }

    /**
     * The source agent of the VM's latest migration restarts: the watch breaks, and the agent no
     * longer knows the migration (libvirt ended it with the agent); the VM stays where it is.
     */
    public void sourceAgentRestarts(String vm) {
        FakeMigration m = migration(vm);
        known.remove(m.id());
        started.remove(m);
        m.result().completeExceptionally(new IllegalStateException("connection reset"));
    }

    public void fail(String vm, String error) {
        FakeMigration m = migration(vm);
        end(m, MigrationResult.newBuilder().setStatus(MigrationStatus.MIGRATION_STATUS_FAILED)
                .setModeRequested(m.options().getMode()).setModeUsed(MigrationMode.MIGRATION_MODE_PRECOPY)
                .setTotalMs(900).setError(error).build());
    }

    private void end(FakeMigration m, MigrationResult result) {
        MigrationProgress last = MigrationProgress.newBuilder().setMigrationId(m.id()).setVmName(m.vm())
                .setSourceHost(m.source()).setTargetHost(m.target()).setStatus(result.getStatus()).setResult(result)
                .build();
        known.put(m.id(), last);
        m.result().complete(result);
    }

    @Override
    public MigrationProgress watch(HostConfig source, String agentMigrationId, Consumer<MigrationProgress> progress)
            throws AgentCallException {
        FakeMigration m = started.stream().filter(x -> x.id().equals(agentMigrationId)).findFirst().orElseThrow(
                () -> new AgentCallException("no migration " + agentMigrationId, true, null));
        progress.accept(MigrationProgress.newBuilder().setMigrationId(m.id()).setVmName(m.vm())
                .setStatus(MigrationStatus.MIGRATION_STATUS_RUNNING)
                .setSnapshot(JobSnapshot.newBuilder().setElapsedMs(1200).setPhase(MigrationPhase.MIGRATION_PHASE_PRECOPY)
                        .setIteration(2).setBytesProcessed(300L << 20).setBytesRemaining(20L << 20)
                        .setDirtyRateBytesPerS(10L << 20).setBandwidthBytesPerS(110L << 20))
                .build());
        try {
            m.result().get(30, TimeUnit.SECONDS); // bounded: a test that forgets to end one fails
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentCallException("interrupted", false, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AgentCallException("watch ended: " + e, false, e);
        }
        MigrationProgress last = known.get(m.id());
        progress.accept(last);
        return last;
    }

    @Override
    public Optional<MigrationProgress> migration(HostConfig source, String agentMigrationId) throws AgentCallException {
        reachable(source);
        return Optional.ofNullable(known.get(agentMigrationId));
    }

    public final List<String> aborted = new ArrayList<>();

    @Override
    public void abort(HostConfig source, String agentMigrationId) throws AgentCallException {
        reachable(source);
        aborted.add(agentMigrationId);
        FakeMigration m = started.stream().filter(x -> x.id().equals(agentMigrationId)).findFirst().orElseThrow();
        end(m, MigrationResult.newBuilder().setStatus(MigrationStatus.MIGRATION_STATUS_ABORTED)
                .setModeRequested(m.options().getMode()).setModeUsed(MigrationMode.MIGRATION_MODE_PRECOPY)
                .setTotalMs(700).setError("aborted by the operator").build());
    }
}
