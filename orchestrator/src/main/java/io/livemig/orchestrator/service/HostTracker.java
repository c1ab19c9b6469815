package io.livemig.orchestrator.service;

import io.livemig.common.config.HostConfig;
import io.livemig.orchestrator.model.GuestVm;
import io.livemig.orchestrator.model.HostReport;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.orchestrator.placement.HostLoad;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.ToDoubleFunction;

/**
 * One host as the orchestrator follows it: its administrative state, its health (the agent
 * answered the last checks or not) and a window of load samples, averaged so that one spike
 * does not move VMs. Thread-safe.
 */
final class HostTracker {

    /** Consecutive failed checks after which a host is DOWN. */
    static final int DOWN_AFTER_FAILURES = 2;

    record Sample(HostReport info, List<GuestVm> vms) {}

    private final HostConfig config;
    private final int window;
    private final Deque<Sample> samples = new ArrayDeque<>();
    private HostAvailability adminState = HostAvailability.UP;
    private int failures;
    private String lastError = "not checked yet";
    private boolean everReached;

    HostTracker(HostConfig config, int window) {
        this.config = config;
        this.window = window;
    }

    HostConfig config() {
        return config;
    }

    synchronized void recordSample(HostReport info, List<GuestVm> vms) {
        samples.addLast(new Sample(info, List.copyOf(vms)));
        while (samples.size() > window) {
            samples.removeFirst();
        }
        failures = 0;
        everReached = true;
        lastError = "";
    }

    synchronized void recordFailure(String error) {
        failures++;
        lastError = error;
    }

    synchronized void setAdminState(HostAvailability state) {
        adminState = state;
    }

    synchronized HostAvailability adminState() {
        return adminState;
    }

    /** DOWN when unhealthy, else the administrative state. */
    synchronized HostAvailability state() {
        return healthy() ? adminState : HostAvailability.DOWN;
    }

    synchronized String stateReason() {
        if (!healthy()) {
            return everReached ? "agent unreachable: " + lastError : "agent never reached: " + lastError;
        }
        return adminState == HostAvailability.UP ? "" : "set by the operator";
    }

    private boolean healthy() {
        return everReached && failures < DOWN_AFTER_FAILURES;
    }

    synchronized int sampleCount() {
        return samples.size();
    }

    synchronized Sample latest() {
        return samples.peekLast();
    }

    /** The running VMs of the latest sample. */
    synchronized List<GuestVm> vms() {
        Sample s = samples.peekLast();
        return s == null ? List.of() : s.vms();
    }

    /** Average dirty rate of each VM over the window, counting only finished measurements (> 0). */
    synchronized Map<String, Long> vmDirtyRate() {
        Map<String, Long> avg = new HashMap<>();
        windowAverage(GuestVm::dirtyRateBytesPerSec, true).forEach((vm, v) -> avg.put(vm, Math.round(v)));
        return avg;
    }

    /** Average CPU utilisation of each VM over the window (VMs of the latest sample). */
    synchronized Map<String, Double> vmCpu() {
        return windowAverage(GuestVm::cpuUtilisation, false);
    }

    /**
     * A figure of each VM of the latest sample, averaged over the samples that list it (0 when
     * none counts); {@code positiveOnly} skips zeros, which mean "not measured yet".
     */
    private Map<String, Double> windowAverage(ToDoubleFunction<GuestVm> figure, boolean positiveOnly) {
        Map<String, double[]> sums = new HashMap<>();
        for (Sample s : samples) {
            for (GuestVm vm : s.vms()) {
                double value = figure.applyAsDouble(vm);
                if (!positiveOnly || value > 0) {
                    double[] sum = sums.computeIfAbsent(vm.name(), k -> new double[2]);
                    sum[0] += value;
                    sum[1]++;
                }
            }
        }
        Map<String, Double> avg = new HashMap<>();
        for (GuestVm vm : vms()) {
            double[] sum = sums.get(vm.name());
            avg.put(vm.name(), sum == null ? 0 : sum[0] / sum[1]);
        }
        return avg;
    }

    /** The host's load for placement: window averages, the latest memory and VM count. */
    synchronized HostLoad load(Set<String> capabilities) {
        Sample s = samples.peekLast();
        if (s == null) {
            return null;
        }
        double cpu = samples.stream().mapToDouble(x -> x.info().guestCpuUtilisation()).average().orElse(0);
        HostReport info = s.info();
        long total = Math.max(1, info.memoryTotalBytes());
        long free = Math.min(total, info.memoryFreeBytes());
        return new HostLoad(config.name(), state(), Math.max(1, info.cpus()), cpu, total, free,
                info.memoryCommittedBytes() + info.memoryReservedBytes(), s.vms().size(), capabilities,
                info.cpuModel());
    }
}
