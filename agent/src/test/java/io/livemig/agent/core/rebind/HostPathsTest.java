package io.livemig.agent.core.rebind;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPathsTest {

    private static final List<SharedStorage> STORAGES = List.of(
            new SharedStorage("lab", "/mnt/lab-a-shared/"),
            new SharedStorage("lab-images", "/mnt/lab-a-shared/images"),
            new SharedStorage("root", "/"));

    @ParameterizedTest(name = "{0} -> {1}:{2}")
    @CsvSource(delimiter = '|', nullValues = "-", value = {
        "/mnt/lab-a-shared/x.qcow2               | lab        | x.qcow2",
        "/mnt/lab-a-shared/images/x.qcow2        | lab-images | x.qcow2",
        "/mnt/lab-a-shared//images/./x.qcow2     | lab-images | x.qcow2",
        "/mnt/lab-a-shared/iso/../images/x.qcow2 | lab-images | x.qcow2",
        "/mnt/lab-a-shared2/x.qcow2              | root       | mnt/lab-a-shared2/x.qcow2",
        "/mnt/lab-a-shared                       | lab        | ''",
        "relative/x.qcow2                        | -          | -",
    })
    void placesAPathOnTheLongestMatchingPrefix(String path, String storage, String relative) {
        Optional<HostPaths.Placement> placed = HostPaths.place(STORAGES, path);
        assertEquals(Optional.ofNullable(storage), placed.map(p -> p.storage().storageId()));
        assertEquals(Optional.ofNullable(relative), placed.map(HostPaths.Placement::relativePath));
    }
}
