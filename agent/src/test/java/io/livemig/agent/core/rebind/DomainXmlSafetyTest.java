package io.livemig.agent.core.rebind;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Domain XML comes from another host: hostile or broken input fails with one clear line. */
class DomainXmlSafetyTest {

    private static final SourceHost SOURCE = RebindRulesTest.SOURCE;
    private static final TargetHost TARGET = RebindRulesTest.TARGET;
    private static final String UUID = RebindRulesTest.UUID;

    private static InvalidDomainXmlException refused(String xml) {
        InvalidDomainXmlException e = assertThrows(InvalidDomainXmlException.class, () -> new RebindPlanner().plan(xml, SOURCE, TARGET));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        return e;
    }

    static Stream<Arguments> doctypes() {
        return Stream.of(
                Arguments.of("external general entity", "<?xml version='1.0'?>\n<!DOCTYPE domain [<!ENTITY secret SYSTEM 'file://SECRET'>]>\n"
                        + "<domain type='kvm'><name>&secret;</name><uuid>" + UUID + "</uuid></domain>"),
                Arguments.of("external parameter entity", "<!DOCTYPE domain [<!ENTITY % remote SYSTEM 'file://SECRET'> %remote;]>\n"
                        + "<domain type='kvm'><name>vm1</name><uuid>" + UUID + "</uuid></domain>"),
                Arguments.of("external DTD", "<!DOCTYPE domain SYSTEM 'file://SECRET'>\n<domain type='kvm'><name>vm1</name><uuid>" + UUID
                        + "</uuid></domain>"),
                Arguments.of("entity expansion bomb", "<!DOCTYPE domain [<!ENTITY a 'aaaaaaaaaa'><!ENTITY b '&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;'>"
                        + "<!ENTITY c '&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;'>]>\n<domain type='kvm'><name>&c;</name><uuid>" + UUID + "</uuid></domain>"),
                Arguments.of("harmless-looking doctype", "<!DOCTYPE domain>\n<domain type='kvm'><name>vm1</name><uuid>" + UUID + "</uuid></domain>"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("doctypes")
    void doctypesAreRefusedBeforeAnythingIsRead(String name, String template, @TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        InvalidDomainXmlException e = refused(template.replace("file://SECRET", secret.toUri().toString()));
        assertEquals("domain XML must not contain a DOCTYPE declaration (refused so that no DTD or external entity is read)", e.getMessage());
        assertFalse(e.getMessage().contains("TOP-SECRET"));
    }

    @Test
    void xincludeIsNotProcessed(@TempDir Path dir) throws IOException {
        Path secret = dir.resolve("secret.txt");
        Files.writeString(secret, "TOP-SECRET-CONTENT");
        String xml = "<domain type='kvm' xmlns:xi='http://www.w3.org/2001/XInclude'><name>vm1</name><uuid>" + UUID + "</uuid>"
                + "<description><xi:include href='" + secret.toUri() + "' parse='text'/></description></domain>";
        String destination = new RebindPlanner().plan(xml, SOURCE, TARGET).destinationXml().orElseThrow();
        assertFalse(destination.contains("TOP-SECRET"));
        assertTrue(destination.contains("xi:include"));
        assertEquals(List.of(), XmlDiff.diff(xml, destination));
    }

    static Stream<Arguments> broken() {
        String ok = "<domain type='kvm'><name>vm1</name><uuid>" + UUID + "</uuid>%s</domain>";
        return Stream.of(
                Arguments.of("not XML", "this is not xml", "domain XML is not well-formed at line 1, column 1"),
                Arguments.of("truncated", "<domain type='kvm'><name>vm1</name><devices>", "domain XML is not well-formed"),
                Arguments.of("mismatched tags", "<domain><name>vm1</uuid></domain>", "domain XML is not well-formed at line 1"),
                Arguments.of("unbound prefix", "<domain><qemu:commandline/></domain>", "domain XML is not well-formed"),
                Arguments.of("empty", "", "domain XML is empty"),
                Arguments.of("blank", "  \n ", "domain XML is empty"),
                Arguments.of("null", null, "domain XML is empty"),
                Arguments.of("capabilities instead of a domain", "<capabilities><host/></capabilities>",
                        "not a domain XML: root element is <capabilities>, expected <domain>"),
                Arguments.of("domain in a foreign namespace", "<domain xmlns='urn:other'><name>vm1</name></domain>", "not a domain XML"),
                Arguments.of("no name", "<domain type='kvm'><uuid>" + UUID + "</uuid></domain>", "domain XML has no <name>"),
                Arguments.of("no uuid", "<domain type='kvm'><name>vm1</name></domain>", "domain XML of 'vm1' has no <uuid>"),
                Arguments.of("bad cpuset", ok.formatted("<cputune><vcpupin vcpu='0' cpuset='1-x'/></cputune>"),
                        "vcpupin 0: invalid cpuset '1-x': 'x' is not a CPU number"),
                Arguments.of("vcpupin without cpuset", ok.formatted("<cputune><vcpupin vcpu='0'/></cputune>"),
                        "<vcpupin> has no 'cpuset' attribute"),
                Arguments.of("vcpupin with a bad vcpu", ok.formatted("<cputune><vcpupin vcpu='one' cpuset='1'/></cputune>"),
                        "<vcpupin vcpu='one'> is not a number"),
                Arguments.of("emulatorpin selecting nothing", ok.formatted("<cputune><emulatorpin cpuset='1,^1'/></cputune>"),
                        "emulatorpin: cpuset '1,^1' selects no CPU"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void brokenInputFailsWithOneClearLine(String name, String xml, String message) {
        InvalidDomainXmlException e = refused(xml);
        assertTrue(e.getMessage().startsWith(message), e.getMessage());
    }

    @Test
    void whatIsNotMappedSurvivesTheRoundTrip() {
        String xml = """
                <domain type='kvm'>
                  <!-- written by hand; keep this comment -->
                  <name>vm1</name>
                  <uuid>%s</uuid>
                  <title>Café &amp; "bar" &lt;test&gt; ✓</title>
                  <metadata>
                    <app xmlns='urn:example:app'>
                      <interface type='bridge'><source bridge='br9'/></interface>
                      <disk type='file'><source file='/var/lib/libvirt/images/not-a-disk.qcow2'/></disk>
                    </app>
                  </metadata>
                  <os>
                    <type arch='x86_64' machine='pc'>hvm</type>
                    <cmdline>console=ttyS0 quiet a=&apos;b&apos; c&amp;d</cmdline>
                  </os>
                  <devices>
                    <interface type='bridge'>
                      <mac address='52:54:00:00:00:01'/>
                      <source bridge='br-a'/>
                      <model type='virtio'/>
                    </interface>
                  </devices>
                  <?libvirt-test keep this processing instruction?>
                </domain>
                """.formatted(UUID);
        RebindPlan plan = new RebindPlanner().plan(xml, SOURCE, TARGET);
        // The <interface> and <disk> inside foreign metadata are not the VM's devices.
        assertEquals(1, plan.rules().size(), plan::describe);
        String destination = plan.destinationXml().orElseThrow();
        assertEquals(List.of("/domain/devices/interface/source@bridge: br-a -> br-lab"), XmlDiff.diff(xml, destination));
        assertTrue(destination.contains("<!-- written by hand; keep this comment -->"));
        assertTrue(destination.contains("<?libvirt-test keep this processing instruction?>"));
        assertTrue(destination.contains("Café &amp; \"bar\" &lt;test&gt; ✓"), destination);
        assertFalse(destination.startsWith("<?xml"), "libvirt's XML has no declaration");
        assertTrue(destination.endsWith("</domain>\n"));
    }
}
