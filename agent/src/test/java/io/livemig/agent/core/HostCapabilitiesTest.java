package io.livemig.agent.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class HostCapabilitiesTest {

    /** Trimmed from virsh capabilities on an x86_64 host with QEMU 10; GUESTS is replaced per case. */
    private static final String CAPS = """
            <capabilities>
              <host>
                <uuid>6e3d7f54-8a34-4f0e-9a63-2b8cd3a1f101</uuid>
                <cpu>
                  <arch>x86_64</arch>
                  <model>Skylake-Client-IBRS</model>
                  <vendor>Intel</vendor>
                  <topology sockets='1' dies='1' clusters='1' cores='2' threads='1'/>
                </cpu>
                <migration_features>
                  <live/>
                  <uri_transports>
                    <uri_transport>tcp</uri_transport>
                    <uri_transport>rdma</uri_transport>
                  </uri_transports>
                </migration_features>
              </host>
              GUESTS
            </capabilities>
            """;

    private static String guest(String osType, String arch, String... domainTypes) {
        StringBuilder domains = new StringBuilder();
        for (String type : domainTypes) {
            domains.append("<domain type='").append(type).append("'/>");
        }
        return "<guest><os_type>" + osType + "</os_type><arch name='" + arch + "'>"
                + "<wordsize>64</wordsize><emulator>/usr/bin/qemu-system-" + arch + "</emulator>"
                + "<machine maxCpus='255'>pc-i440fx-10.0</machine>" + domains
                + "</arch><features><acpi default='on' toggle='yes'/></features></guest>";
    }

    static Stream<Arguments> hosts() {
        return Stream.of(
                Arguments.of("kvm and tcg offered", guest("hvm", "x86_64", "qemu", "kvm"), DomainType.KVM),
                Arguments.of("tcg only (no /dev/kvm)", guest("hvm", "x86_64", "qemu"), DomainType.QEMU),
                Arguments.of("kvm only for another arch", guest("hvm", "i686", "qemu", "kvm")
                        + guest("hvm", "x86_64", "qemu"), DomainType.QEMU),
                Arguments.of("no hvm guests", guest("xen", "x86_64", "xen"), DomainType.UNKNOWN),
                Arguments.of("no guests at all", "", DomainType.UNKNOWN));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hosts")
    void picksTheBestVirtTypeForTheHostArchitecture(String name, String guests, DomainType expected) {
        assertEquals(expected, HostCapabilities.bestVirtType(CAPS.replace("GUESTS", guests)));
    }

    @Test
    void rejectsWhatIsNotXml() {
        assertThrows(IllegalArgumentException.class, () -> HostCapabilities.bestVirtType("not xml"));
        assertThrows(IllegalArgumentException.class, () -> HostCapabilities.bestVirtType(null));
    }

    @Test
    void refusesDoctypes() {
        String xxe = "<?xml version='1.0'?><!DOCTYPE c [<!ENTITY x SYSTEM 'file:///etc/passwd'>]><capabilities>&x;</capabilities>";
        assertThrows(IllegalArgumentException.class, () -> HostCapabilities.bestVirtType(xxe));
    }

    @Test
    void readsTheHostCpuModel() {
        assertEquals("Skylake-Client-IBRS", HostCapabilities.cpuModel(CAPS.replace("GUESTS", "")));
        assertEquals("", HostCapabilities.cpuModel("<capabilities><host><cpu><arch>x86_64</arch></cpu></host></capabilities>"));
    }
}
