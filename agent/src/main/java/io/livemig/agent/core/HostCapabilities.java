package io.livemig.agent.core;

import java.io.IOException;
import java.io.StringReader;
import javax.xml.parsers.DocumentBuilder;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;

/** Reads libvirt's capabilities XML (virConnectGetCapabilities). */
public final class HostCapabilities {

    private HostCapabilities() {
    }

    /**
     * The best virtualisation type offered for hvm guests of the host's own architecture: KVM
     * when a {@code <domain type='kvm'/>} is listed, else QEMU (TCG) when {@code 'qemu'} is.
     *
     * <p>This is what libvirt advertises, not proof that a guest boots: nested KVM can be offered
     * and still hang a guest, so callers that must be sure have to probe.
     *
     * @throws IllegalArgumentException when the XML cannot be parsed
     */
    /** The host CPU model ({@code /capabilities/host/cpu/model}), "" when absent. */
    public static String cpuModel(String capabilitiesXml) {
        String model = firstText(parse(capabilitiesXml).getDocumentElement(), "host", "cpu", "model");
        return model == null ? "" : model;
    }

    public static DomainType bestVirtType(String capabilitiesXml) {
        Document doc = parse(capabilitiesXml);
        String hostArch = firstText(doc.getDocumentElement(), "host", "cpu", "arch");
        boolean qemu = false;
        NodeList guests = doc.getDocumentElement().getElementsByTagName("guest");
        for (int i = 0; i < guests.getLength(); i++) {
            Element guest = (Element) guests.item(i);
            if (!"hvm".equals(firstText(guest, "os_type"))) {
                continue;
            }
            NodeList arches = guest.getElementsByTagName("arch");
            for (int j = 0; j < arches.getLength(); j++) {
                Element arch = (Element) arches.item(j);
                if (hostArch != null && !hostArch.equals(arch.getAttribute("name"))) {
                    continue;
                }
                NodeList domains = arch.getElementsByTagName("domain");
                for (int k = 0; k < domains.getLength(); k++) {
                    String type = ((Element) domains.item(k)).getAttribute("type");
                    if ("kvm".equals(type)) {
                        return DomainType.KVM;
                    }
                    qemu |= "qemu".equals(type);
                }
            }
        }
        return qemu ? DomainType.QEMU : DomainType.UNKNOWN;
    }

    private static Document parse(String xml) {
        try {
            DocumentBuilder builder = SafeXml.newDocumentBuilder();
            return builder.parse(new InputSource(new StringReader(xml == null ? "" : xml)));
        } catch (SAXException | IOException e) {
            throw new IllegalArgumentException("unreadable capabilities XML: " + e.getMessage(), e);
        }
    }

    /** Text of the first element reached by following child element names, or null. */
    private static String firstText(Element from, String... path) {
        Element current = from;
        for (String name : path) {
            Element next = null;
            for (var n = current.getFirstChild(); n != null; n = n.getNextSibling()) {
                if (n instanceof Element e && e.getTagName().equals(name)) {
                    next = e;
                    break;
                }
            }
            if (next == null) {
                return null;
            }
            current = next;
        }
        return current.getTextContent().trim();
    }
}
