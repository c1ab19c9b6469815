package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core stays plain Java: libvirt, gRPC and generated protobuf code live in adapters. */
class CorePurityTest {

    private static final Path CORE = Path.of("src/main/java/io/livemig/agent/core");
    private static final List<String> FORBIDDEN = List.of("org.libvirt", "io.grpc", "io.livemig.proto", "com.sun.jna");

    @Test
    void coreImportsNoAdapterLibraries() throws IOException {
        List<String> offending;
        try (Stream<Path> files = Files.walk(CORE)) {
            offending = files.filter(f -> f.toString().endsWith(".java"))
                    .flatMap(CorePurityTest::lines)
                    .filter(line -> FORBIDDEN.stream().anyMatch(line::contains))
                    .filter(line -> line.startsWith("import ") || !line.startsWith("*") && !line.startsWith("/"))
                    .toList();
        }
        assertFalse(lines(CORE.resolve("JobStats.java")).findAny().isEmpty(), "core sources not found from " + Path.of("").toAbsolutePath());
        assertEquals(List.of(), offending);
    }

    private static Stream<String> lines(Path file) {
        try {
            return Files.readAllLines(file).stream().map(String::strip);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
