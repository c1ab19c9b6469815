package io.livemig.common.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.grpc.Status;
import org.junit.jupiter.api.Test;

class DeadlinesTest {

    @Test
    void aDeadlineBecomesTheTimeWaitedInWords() {
        // as grpc-java 1.7x words it for a call that timed out on an open connection
        Status seen = Status.DEADLINE_EXCEEDED.withDescription("CallOptions deadline exceeded after 9.998207937s. "
                + "Name resolution delay 0.000048482 seconds. [closed=[], open=[[connecting_and_lb_delay=31525133ns, "
                + "remote_addr=/10.213.77.12:7070]]]");
        assertEquals("did not answer within 10 s", Deadlines.noAnswer(seen));
        assertEquals("did not answer in time", Deadlines.noAnswer(Status.DEADLINE_EXCEEDED));
        assertNull(Deadlines.noAnswer(Status.UNAVAILABLE.withDescription("deadline exceeded after 3s")));
    }
}
