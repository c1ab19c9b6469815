package io.livemig.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.InvalidProtocolBufferException;
import io.livemig.proto.agent.v1.HostInfo;
import org.junit.jupiter.api.Test;

/** Renamed fields keep their numbers: bytes from a peer built before the rename read the same. */
class WireCompatibilityTest {

    /** HostInfo as an agent built when field 10 was called host_name sends it: tag 10, length, "lab-a". */
    private static final byte[] OLD_HOST_INFO = {(10 << 3) | 2, 5, 'l', 'a', 'b', '-', 'a'};

    @Test
    void theClusterHostNameIsFieldTenAsHostNameWas() throws InvalidProtocolBufferException {
        HostInfo read = HostInfo.parseFrom(OLD_HOST_INFO);
        assertEquals("lab-a", read.getClusterHostName());
        assertEquals("", read.getHostname());
        assertArrayEquals(OLD_HOST_INFO, HostInfo.newBuilder().setClusterHostName("lab-a").build().toByteArray());
    }
}
