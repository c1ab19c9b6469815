package io.livemig.cli.resident;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ResidentRequestTest {

    /** The bytes a launcher sends: every field followed by NUL. */
    static byte[] request(String... fields) {
        StringBuilder b = new StringBuilder();
        for (String f : fields) {
            b.append(f).append('\0');
        }
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void readsTheFieldsTheLauncherSends() throws IOException {
        ResidentRequest r = ResidentRequest.read(new ByteArrayInputStream(request(ResidentRequest.MAGIC, "t0k",
                "lib /opt/livemig/lib", "/home/op", "1", "4242", "3", "migrate", "vm one", "--to=lab-b\nx", "2",
                "LIVEMIG_CLUSTER=lab/cluster.yaml", "OPTS=a=b")));
        assertEquals("t0k", r.token());
        assertEquals("lib /opt/livemig/lib", r.stamp());
        assertEquals(Path.of("/home/op"), r.directory());
        assertTrue(r.terminal());
        assertEquals(4242, r.launcher());
        assertEquals(List.of("migrate", "vm one", "--to=lab-b\nx"), r.args());
        assertEquals(Map.of("LIVEMIG_CLUSTER", "lab/cluster.yaml", "OPTS", "a=b"), r.env());
    }

    @Test
    void refusesWhatIsNotARequest() {
        assertThrows(IOException.class, () -> ResidentRequest.read(new ByteArrayInputStream(
                request("GET / HTTP/1.1", "t", "s", "/", "0", "1", "0", "0"))));
        // a relative working directory, a count that is not one, a stream that ends early
        assertThrows(IOException.class, () -> ResidentRequest.read(new ByteArrayInputStream(
                request(ResidentRequest.MAGIC, "t", "s", "here", "0", "1", "0", "0"))));
        assertThrows(IOException.class, () -> ResidentRequest.read(new ByteArrayInputStream(
                request(ResidentRequest.MAGIC, "t", "s", "/", "0", "1", "-1", "0"))));
        assertThrows(IOException.class, () -> ResidentRequest.read(new ByteArrayInputStream(
                request(ResidentRequest.MAGIC, "t", "s", "/", "0", "1", "2", "hosts"))));
    }

    @Test
    void refusesARequestLongerThanItsLimit() {
        byte[] huge = new byte[ResidentRequest.MAX_BYTES + 10];
        java.util.Arrays.fill(huge, (byte) 'a');
        assertThrows(IOException.class, () -> ResidentRequest.read(new ByteArrayInputStream(huge)));
    }

    @Test
    void makesTheVariablesThatNameFilesAbsolute() {
        Map<String, String> env = ResidentMain.absolutePaths(Map.of("LIVEMIG_CLUSTER", "lab/cluster.yaml",
                "LIVEMIG_TLS_CA", "/etc/livemig/ca.pem", "LIVEMIG_ORCHESTRATOR", "10.0.0.1:7080"), Path.of("/home/op"));
        assertEquals("/home/op/lab/cluster.yaml", env.get("LIVEMIG_CLUSTER"));
        assertEquals("/etc/livemig/ca.pem", env.get("LIVEMIG_TLS_CA"));
        assertEquals("10.0.0.1:7080", env.get("LIVEMIG_ORCHESTRATOR"));
    }
}
