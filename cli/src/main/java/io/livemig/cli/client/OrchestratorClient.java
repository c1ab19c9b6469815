package io.livemig.cli.client;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.cli.format.MigrationFormat;
import io.livemig.common.grpc.ServerAnswers;
import io.livemig.orchestrator.placement.HostAvailability;
import io.livemig.proto.orchestrator.v1.DrainRequest;
import io.livemig.proto.orchestrator.v1.HistoryRequest;
import io.livemig.proto.orchestrator.v1.HistoryResponse;
import io.livemig.proto.orchestrator.v1.Host;
import io.livemig.proto.orchestrator.v1.ListHostsRequest;
import io.livemig.proto.orchestrator.v1.ListHostsResponse;
import io.livemig.proto.orchestrator.v1.ListVmsRequest;
import io.livemig.proto.orchestrator.v1.ListVmsResponse;
import io.livemig.proto.orchestrator.v1.MigrateRequest;
import io.livemig.proto.orchestrator.v1.MigrateResponse;
import io.livemig.proto.orchestrator.v1.Migration;
import io.livemig.proto.orchestrator.v1.MigrationId;
import io.livemig.proto.orchestrator.v1.MigrationUpdate;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import io.livemig.proto.orchestrator.v1.PlanRequest;
import io.livemig.proto.orchestrator.v1.PlanResponse;
import io.livemig.proto.orchestrator.v1.RebalanceRequest;
import io.livemig.proto.orchestrator.v1.RebalanceResponse;
import io.livemig.proto.orchestrator.v1.SetHostStateRequest;
import java.time.Duration;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The orchestrator's API for the client commands. Every call has a deadline; an unreachable
 * orchestrator (UNAVAILABLE, DEADLINE_EXCEEDED) becomes one line naming its address, which
 * the command line turns into exit code 3. Other statuses (NOT_FOUND, FAILED_PRECONDITION...) pass
 * through with the orchestrator's description.
 */
public final class OrchestratorClient {

    /** A Watch stream is re-opened after this long while the migration has not ended. */
    static final Duration WATCH_WINDOW = Duration.ofHours(1);

    private final String address;
    private final OrchestratorServiceGrpc.OrchestratorServiceBlockingStub stub;
    private final Duration deadline;

    public OrchestratorClient(Channel channel, String address, Duration deadline) {
        this.address = address;
        this.stub = OrchestratorServiceGrpc.newBlockingStub(channel);
        this.deadline = deadline;
    }

    String address() {
        return address;
    }

    public ListHostsResponse listHosts() {
        return call(s -> s.listHosts(ListHostsRequest.getDefaultInstance()));
    }

    public ListVmsResponse listVms(String host) {
        return call(s -> s.listVms(ListVmsRequest.newBuilder().setHost(host == null ? "" : host).build()));
    }

    public MigrateResponse migrate(MigrateRequest request) {
        return call(s -> s.migrate(request));
    }

    /** Pre-flight advice: nothing is recorded or moved. */
    public PlanResponse plan(PlanRequest request) {
        return call(s -> s.plan(request));
    }

    public Migration abort(String id) {
        return call(s -> s.abort(MigrationId.newBuilder().setId(id).build()));
    }

    /** Abort with a short deadline, for a shutdown hook. */
    public void abortQuietly(String id) {
        try {
            stub.withDeadlineAfter(10, TimeUnit.SECONDS).abort(MigrationId.newBuilder().setId(id).build());
        } catch (StatusRuntimeException e) {
            // it may have ended meanwhile, or the orchestrator is gone: nothing more to do on the way out
        }
    }

    public HistoryResponse history(HistoryRequest request) {
        return call(s -> s.history(request));
    }

    public RebalanceResponse rebalance(boolean dryRun) {
        return call(s -> s.rebalance(RebalanceRequest.newBuilder().setDryRun(dryRun).build()));
    }

    public RebalanceResponse planRebalance() {
        return call(s -> s.planRebalance(RebalanceRequest.getDefaultInstance()));
    }

    public RebalanceResponse drain(String host, boolean dryRun) {
        return call(s -> s.drain(DrainRequest.newBuilder().setHost(host).setDryRun(dryRun).build()));
    }

    public Host setHostState(String host, HostAvailability state) {
        return call(s -> s.setHostState(SetHostStateRequest.newBuilder().setHost(host).setState(ProtoChoices.of(state))
                .build()));
    }

    /**
     * Follows a migration with Watch until its record is final, handing every update to
     * {@code updates}; returns the final record. The stream is re-opened when its window
     * ({@link #WATCH_WINDOW}) ends while the orchestrator still answers.
     */
    public Migration watch(String id, Consumer<MigrationUpdate> updates) {
        while (true) {
            boolean heard = false;
            Migration last = null;
            try {
                Iterator<MigrationUpdate> stream = stub.withDeadlineAfter(WATCH_WINDOW.toMillis(), TimeUnit.MILLISECONDS)
                        .watch(MigrationId.newBuilder().setId(id).build());
                while (stream.hasNext()) {
                    MigrationUpdate update = stream.next();
                    heard = true;
                    last = update.getMigration();
                    updates.accept(update);
                }
            } catch (StatusRuntimeException e) {
                if (heard && e.getStatus().getCode() == Status.Code.DEADLINE_EXCEEDED) {
                    continue; // the window ended with the orchestrator still answering: watch on
                }
                throw translate(e);
            }
            if (last != null && MigrationFormat.isFinal(last.getState())) {
                return last;
            }
            throw Status.UNAVAILABLE.withDescription("the orchestrator at " + address + " ended the watch of " + id
                    + " before the migration ended" + (last == null ? "" : " (last seen " + MigrationFormat.state(
                            last.getState()) + "; 'livemig watch " + id + "' follows it again)")).asRuntimeException();
        }
    }

    private <T> T call(Function<OrchestratorServiceGrpc.OrchestratorServiceBlockingStub, T> call) {
        try {
            return call.apply(stub.withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS));
        } catch (StatusRuntimeException e) {
            throw translate(e);
        }
    }

    /**
     * UNAVAILABLE and DEADLINE_EXCEEDED from the transport name the orchestrator; the rest, and
     * the orchestrator's own UNAVAILABLE (a host down, its history not writable), is its answer.
     */
    StatusRuntimeException translate(StatusRuntimeException e) {
        if (ServerAnswers.isAnswer(e)) {
            return e;
        }
        Status status = e.getStatus();
        String detail = CallFailures.detail(status);
        String tls = CallFailures.tls(e, "the orchestrator at " + address);
        if (tls != null) {
            return Status.UNAVAILABLE.withDescription(CallFailures.TLS_FAILED + tls).withCause(status.getCause())
                    .asRuntimeException();
        }
        return switch (status.getCode()) {
            case UNAVAILABLE -> Status.UNAVAILABLE.withDescription("cannot reach the orchestrator at " + address
                    + (detail.isEmpty() ? "" : ": " + detail)).withCause(status.getCause()).asRuntimeException();
            case DEADLINE_EXCEEDED -> Status.DEADLINE_EXCEEDED.withDescription("the orchestrator at " + address
                    + " did not answer in time" + (detail.isEmpty() ? "" : ": " + detail)).asRuntimeException();
            default -> e;
        };
    }
}
