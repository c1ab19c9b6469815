package io.livemig.agent.core.rebind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GuestCpuTest {

    static String sample(String name) throws IOException {
        try (InputStream in = GuestCpuTest.class.getResourceAsStream("/domains/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @ParameterizedTest(name = "{0}: {1} {2} {3}")
    @CsvSource(delimiter = '|', value = {
        "db1.xml               | kvm  | custom           | Skylake-Server-IBRS | true",
        "web1.xml              | kvm  | host-passthrough | host-passthrough    | false",
        "gpu1.xml              | kvm  | host-passthrough | host-passthrough    | false",
        "lab-lm-migratable.xml | qemu | custom           | qemu64              | true",
    })
    void readsTheCpuOfRealDomains(String file, String virtType, String mode, String model, boolean comparable)
            throws IOException {
        GuestCpu cpu = GuestCpu.of(sample(file)).orElseThrow();
        assertEquals(virtType, cpu.virtType());
        assertEquals("x86_64", cpu.arch());
        assertEquals(mode, cpu.mode());
        assertEquals(model, cpu.model());
        assertEquals(comparable, cpu.comparable());
        assertTrue(cpu.cpuXml().startsWith("<cpu"), cpu.cpuXml());
        assertTrue(cpu.cpuXml().endsWith("</cpu>") || cpu.cpuXml().endsWith("/>"), cpu.cpuXml());
    }

    @Test
    void keepsFeaturesForTheComparison() {
        String xml = "<domain type='qemu'><name>x</name><os><type arch='x86_64'>hvm</type></os>"
                + "<cpu match='exact'><model fallback='forbid'>qemu64</model>"
                + "<feature policy='require' name='avx512f'/></cpu></domain>";
        GuestCpu cpu = GuestCpu.of(xml).orElseThrow();
        assertEquals("custom", cpu.mode());
        assertTrue(cpu.cpuXml().contains("<feature name=\"avx512f\" policy=\"require\"/>")
                || cpu.cpuXml().contains("<feature policy=\"require\" name=\"avx512f\"/>"), cpu.cpuXml());
    }

    @Test
    void aDomainWithoutCpuElementHasNothingToCompare() throws IOException {
        assertFalse(GuestCpu.of(sample("lab-lm2-shared-disk.xml")).isPresent());
    }

    @Test
    void refusesWhatIsNotADomain() {
        assertThrows(InvalidDomainXmlException.class, () -> GuestCpu.of("<cpu mode='custom'/>"));
    }
}
