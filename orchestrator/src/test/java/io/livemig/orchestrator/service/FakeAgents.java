package io.livemig.orchestrator.service;

import io.livemig.common.config.HostConfig;
import io.livemig.common.timeline.Phase;
import io.livemig.orchestrator.model.AgentProgress;
import io.livemig.orchestrator.model.AgentResult;
import io.livemig.orchestrator.model.CopyPhase;
import io.livemig.orchestrator.model.GuestState;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.model.JobReading;
import io.livemig.orchestrator.model.TransferOptions;
import io.livemig.orchestrator.model.VmBinding;
import io.livemig.orchestrator.workflow.RecordState;
import io.livemig.orchestrator.workflow.TransferMode;
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

    public record FakeMigration(String id, String vm, String source, String target, TransferOptions options,
            CompletableFuture<AgentResult> result) {}

    private final Map<String, HostReport> hostInfo = new ConcurrentHashMap<>();
    private final Map<String, List<GuestVm>> vms = new ConcurrentHashMap<>();
    public final Set<String> unreachable = ConcurrentHashMap.newKeySet();
    public final Set<String> refuseStart = ConcurrentHashMap.newKeySet();
    public final List<FakeMigration> started = new CopyOnWriteArrayList<>();
    /** Agent-side results kept for GetMigration (what a restarted orchestrator asks). */
    public final Map<String, AgentProgress> known = new ConcurrentHashMap<>();
    /** Every started migration, for tests that wait for the next start. */
    private final BlockingQueue<FakeMigration> starts = new LinkedBlockingQueue<>();

    public FakeAgents host(String name, int cpus, long memoryBytes, double guestCpu) {
        hostInfo.put(name, new HostReport(name, cpus, memoryBytes, memoryBytes, 0, 0, guestCpu, "qemu64", 0, 0));
        vms.putIfAbsent(name, new CopyOnWriteArrayList<>());
        return this;
    }

    /** Puts a VM of {@code host} in {@code state}, with libvirt's reason (e.g. paused, "post-copy failed"). */
    public FakeAgents vmState(String host, String name, GuestState state, String reason) {
        List<GuestVm> list = vms.get(host);
        for (int i = 0; i < list.size(); i++) {
            GuestVm v = list.get(i);
            if (v.name().equals(name)) {
                list.set(i, new GuestVm(v.name(), v.uuid(), state, v.memoryBytes(), v.vcpus(), v.bindings(),
                        v.cpuUtilisation(), v.dirtyRateBytesPerSec(), reason, v.ramHeldBytes()));
            }
        }
        return this;
    }

    /** Sets how much of a VM's RAM its host holds, as its agent would list it. */
    public FakeAgents ramHeld(String host, String name, long bytes) {
        List<GuestVm> list = vms.get(host);
        for (int i = 0; i < list.size(); i++) {
            GuestVm v = list.get(i);
            if (v.name().equals(name)) {
                list.set(i, new GuestVm(v.name(), v.uuid(), v.state(), v.memoryBytes(), v.vcpus(), v.bindings(),
                        v.cpuUtilisation(), v.dirtyRateBytesPerSec(), v.stateReason(), bytes));
            }
        }
        return this;
    }

    public FakeAgents vm(String host, String name, long memoryBytes, double cpu, String bridge) {
        return vm(host, name, memoryBytes, cpu, bridge, 0);
    }

    public FakeAgents vm(String host, String name, long memoryBytes, double cpu, String bridge, long dirtyBytesPerSec) {
        vms.get(host).add(new GuestVm(name, "u-" + name, GuestState.RUNNING, memoryBytes, 1,
                List.of(new VmBinding("nic", "52:54:00:00:00:01", bridge)), cpu, dirtyBytesPerSec));
        HostReport info = hostInfo.get(host);
        hostInfo.put(host, new HostReport(info.hostName(), info.cpus(), info.memoryTotalBytes(),
                info.memoryFreeBytes() - memoryBytes, info.memoryReservedBytes(),
                info.memoryCommittedBytes() + memoryBytes, info.guestCpuUtilisation() + cpu / info.cpus(),
                info.cpuModel(), info.migrationsOutgoing(), info.migrationsIncoming()));
        return this;
    }

    /** Moves a running VM to {@code host} as a tool other than livemig would: nobody is told. */
    public FakeAgents movedOutside(String vm, String host) {
        for (List<GuestVm> list : vms.values()) {
            list.stream().filter(v -> v.name().equals(vm)).findFirst().ifPresent(v -> {
                list.remove(v);
                vms.get(host).add(v);
            });
        }
        return this;
    }

    public Optional<String> whereIs(String vm) {
        return vms.entrySet().stream().filter(e -> e.getValue().stream().anyMatch(v -> v.name().equals(vm)))
                .map(Map.Entry::getKey).findFirst();
    }

    private void reachable(HostConfig host) throws AgentCallException {
        if (unreachable.contains(host.name())) {
            throw new AgentCallException("agent of " + host.name() + ": connection refused", false, null);
        }
    }

    @Override
    public HostReport hostReport(HostConfig host) throws AgentCallException {
        reachable(host);
        return hostInfo.get(host.name());
    }

    @Override
    public List<GuestVm> runningVms(HostConfig host) throws AgentCallException {
        reachable(host);
        return List.copyOf(vms.get(host.name()));
    }

    @Override
    public synchronized String startMigration(HostConfig source, String vm, HostConfig target, TransferOptions options)
            throws AgentCallException {
        reachable(source);
        if (vms.get(source.name()).stream().noneMatch(v -> v.name().equals(vm))) {
            throw new AgentCallException("agent of " + source.name() + ": no VM named '" + vm + "'", true, true, null);
        }
        if (refuseStart.contains(vm)) {
            throw new AgentCallException("agent of " + source.name() + ": target refused: not enough memory", true, null);
        }
        String id = "agent-" + (started.size() + 1);
        FakeMigration m = new FakeMigration(id, vm, source.name(), target.name(), options, new CompletableFuture<>());
        started.add(m);
        known.put(id, new AgentProgress(id, vm, "", "", RecordState.RUNNING, null, null, List.of()));
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

    /** The phases a fake agent reports with a migration that succeeded: too short to outlast the real calls. */
    public static final List<Phase> AGENT_PHASES = List.of(new Phase("vm_check", "agent", 0, 0),
            new Phase("target_prepare", "agent", 0, 1), new Phase("job", "agent", 1, 0));

    /** Ends the VM's latest migration successfully: the VM moves to the target. */
    public void complete(String vm) {
        complete(vm, TransferMode.PRECOPY, -1);
    }

    /**
     * The same, completed by {@code used} with {@code bytes} on the wire (negative: the memory and
     * 8 MiB more).
     */
    public void complete(String vm, TransferMode used, long bytes) {
        complete(vm, used, bytes, 0);
    }

    /**
     * The same, with a job whose memory is the VM's and {@code deviceRam} more, as libvirt counts
     * a guest's devices' RAM (a 256 MiB guest's job says 256.8 MiB).
     */
    public void complete(String vm, TransferMode used, long bytes, long deviceRam) {
        FakeMigration m = migration(vm);
        GuestVm moved = vms.get(m.source()).stream().filter(v -> v.name().equals(vm)).findFirst().orElseThrow();
        vms.get(m.source()).remove(moved);
        vms.get(m.target()).add(moved);
        end(m, new AgentResult(RecordState.SUCCEEDED, m.options().mode(), used, List.of(), 1500, 40, 5,
                bytes < 0 ? moved.memoryBytes() + (8 << 20) : bytes, moved.memoryBytes() + deviceRam, 3, 0, "",
                AGENT_PHASES));
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
        end(m, new AgentResult(RecordState.FAILED, m.options().mode(), TransferMode.PRECOPY, List.of(), 900, 0, 0, 0, 0,
                0, 0, error));
    }

    private void end(FakeMigration m, AgentResult result) {
        AgentProgress last = new AgentProgress(m.id(), m.vm(), m.source(), m.target(), result.state(), null, result,
                List.of());
        known.put(m.id(), last);
        m.result().complete(result);
    }

    @Override
    public AgentProgress watch(HostConfig source, String agentMigrationId, Consumer<AgentProgress> progress)
            throws AgentCallException {
        FakeMigration m = started.stream().filter(x -> x.id().equals(agentMigrationId)).findFirst().orElseThrow(
                () -> new AgentCallException("no migration " + agentMigrationId, true, null));
        progress.accept(new AgentProgress(m.id(), m.vm(), "", "", RecordState.RUNNING,
                new JobReading(1200, CopyPhase.PRECOPY, 2, 300L << 20, 20L << 20, 0, 10L << 20, 110L << 20, 0, 0,
                        0.42, 7000),
                null, List.of()));
        try {
            m.result().get(30, TimeUnit.SECONDS); // bounded: a test that forgets to end one fails
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AgentCallException("interrupted", false, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new AgentCallException("watch ended: " + e, false, e);
        }
        AgentProgress last = known.get(m.id());
        progress.accept(last);
        return last;
    }

    @Override
    public Optional<AgentProgress> migration(HostConfig source, String agentMigrationId) throws AgentCallException {
        reachable(source);
        return Optional.ofNullable(known.get(agentMigrationId));
    }

    public final List<String> aborted = new ArrayList<>();

    @Override
    public void abort(HostConfig source, String agentMigrationId) throws AgentCallException {
        reachable(source);
        aborted.add(agentMigrationId);
        FakeMigration m = started.stream().filter(x -> x.id().equals(agentMigrationId)).findFirst().orElseThrow();
        end(m, new AgentResult(RecordState.ABORTED, m.options().mode(), TransferMode.PRECOPY, List.of(), 700, 0, 0, 0, 0,
                0, 0, "aborted by the operator"));
    }
}
