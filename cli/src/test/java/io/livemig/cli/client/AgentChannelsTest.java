package io.livemig.cli.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.livemig.common.tls.TransportSecurity;
import io.livemig.proto.orchestrator.v1.ListHostsRequest;
import io.livemig.proto.orchestrator.v1.OrchestratorServiceGrpc;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The TCP channels of a run, and their event loop, which must be gone once they are closed. */
class AgentChannelsTest {

    /** The live event loop threads of AgentChannels, except those in {@code others} (other tests' channels). */
    private static List<Thread> eventLoopThreads(List<Thread> others) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
                .filter(t -> t.getName().startsWith("livemig-grpc") && !others.contains(t)).toList();
    }

    @Test
    void closingEndsTheEventLoopThread() throws InterruptedException {
        List<Thread> others = eventLoopThreads(List.of());
        AgentChannels channels = AgentChannels.secured();
        channels.securedBy(() -> TransportSecurity.INSECURE);
        List<Thread> ours;
        try {
            // Nothing listens on port 1 of the loopback interface: refused at once.
            StatusRuntimeException refused = assertThrows(StatusRuntimeException.class,
                    () -> OrchestratorServiceGrpc.newBlockingStub(channels.to("127.0.0.1:1"))
                            .withDeadlineAfter(10, TimeUnit.SECONDS).listHosts(ListHostsRequest.getDefaultInstance()));
            assertEquals(Status.Code.UNAVAILABLE, refused.getStatus().getCode());
            ours = eventLoopThreads(others);
            assertEquals(1, ours.size(), ours.toString());
        } finally {
            channels.close();
        }
        // close() returns once the loop has terminated; its thread then runs out its last lines
        for (Thread t : ours) {
            t.join(TimeUnit.SECONDS.toMillis(5));
            assertFalse(t.isAlive(), t + " still runs after close");
        }
    }
}
