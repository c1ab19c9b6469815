package io.livemig.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.EnumDescriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import io.livemig.proto.agent.v1.AgentProto;
import io.livemig.proto.orchestrator.v1.OrchestratorProto;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What older protoc releases refuse although the build's own protoc accepts it, so that clients in
 * other languages can be generated with any protoc (Debian 12 ships 3.21.12): two fields of one
 * message whose JSON names differ only in case or underscores ("hostname" and "host_name"). Also the
 * conventions every message and enum here keeps (the build runs Debian's protoc itself where it is
 * installed; this check runs everywhere).
 */
class ProtoLintTest {

    static Stream<FileDescriptor> files() {
        return Stream.of(AgentProto.getDescriptor(), OrchestratorProto.getDescriptor());
    }

    @ParameterizedTest
    @MethodSource("files")
    void noTwoFieldsOfAMessageShareAJsonName(FileDescriptor file) {
        List<String> clashes = new ArrayList<>();
        messages(file.getMessageTypes()).forEach(m -> {
            Map<String, String> seen = new HashMap<>();
            for (FieldDescriptor f : m.getFields()) {
                String key = f.getName().replace("_", "").toLowerCase(Locale.ROOT);
                String other = seen.putIfAbsent(key, f.getName());
                if (other != null) {
                    clashes.add(m.getFullName() + ": " + other + " and " + f.getName());
                }
            }
        });
        assertEquals(List.of(), clashes, "fields whose JSON names clash (protoc 3.21 refuses them)");
    }

    @ParameterizedTest
    @MethodSource("files")
    void everyEnumStartsWithItsUnspecifiedZero(FileDescriptor file) {
        List<EnumDescriptor> enums = new ArrayList<>(file.getEnumTypes());
        messages(file.getMessageTypes()).forEach(m -> enums.addAll(m.getEnumTypes()));
        for (EnumDescriptor e : enums) {
            assertTrue(e.getValues().get(0).getName().endsWith("_UNSPECIFIED") && e.getValues().get(0).getNumber() == 0,
                    e.getFullName() + " must start with *_UNSPECIFIED = 0");
        }
    }

    private static Stream<Descriptor> messages(List<Descriptor> top) {
        return top.stream().flatMap(m -> Stream.concat(Stream.of(m), messages(m.getNestedTypes())));
    }
}
