package io.livemig.agent.core.rebind;

import io.livemig.agent.core.SafeXml;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import javax.xml.XMLConstants;
import javax.xml.parsers.DocumentBuilder;
import javax.xml.transform.OutputKeys;
import javax.xml.transform.Transformer;
import javax.xml.transform.TransformerException;
import javax.xml.transform.TransformerFactory;
import javax.xml.transform.dom.DOMSource;
import javax.xml.transform.stream.StreamResult;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.xml.sax.InputSource;
import org.xml.sax.SAXException;
import org.xml.sax.SAXParseException;

/**
 * Parses and writes domain XML with the JDK's own DOM, closed to the outside: no DTD, no entity,
 * no XInclude, no external stylesheet. A domain XML crosses hosts (it comes from the source
 * daemon, possibly through the orchestrator), so it is treated as untrusted input.
 */
final class DomainXml {

    private DomainXml() {
    }

    static Document parse(String xml) {
        if (xml == null || xml.isBlank()) {
            throw new InvalidDomainXmlException("domain XML is empty");
        }
        DocumentBuilder builder = SafeXml.newDocumentBuilder();
        Document doc;
        try {
            doc = builder.parse(new InputSource(new StringReader(xml)));
        } catch (SAXParseException e) {
            if (xml.contains("<!DOCTYPE")) {
                throw new InvalidDomainXmlException("domain XML must not contain a DOCTYPE declaration"
                        + " (refused so that no DTD or external entity is read)", e);
            }
            throw new InvalidDomainXmlException("domain XML is not well-formed at line " + e.getLineNumber()
                    + ", column " + e.getColumnNumber() + ": " + e.getMessage(), e);
        } catch (SAXException | IOException e) {
            throw new InvalidDomainXmlException("domain XML cannot be read: " + e.getMessage(), e);
        }
        Element root = doc.getDocumentElement();
        if (!isLibvirt(root, "domain")) {
            throw new InvalidDomainXmlException("not a domain XML: root element is <" + root.getTagName() + ">, expected <domain>");
        }
        return doc;
    }

    /** A document, or one element of it with its children. */
    static String write(Node doc) {
        try {
            TransformerFactory factory = TransformerFactory.newDefaultInstance();
            factory.setFeature(XMLConstants.FEATURE_SECURE_PROCESSING, true);
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_DTD, "");
            factory.setAttribute(XMLConstants.ACCESS_EXTERNAL_STYLESHEET, "");
            Transformer transformer = factory.newTransformer();
            transformer.setOutputProperty(OutputKeys.METHOD, "xml");
            transformer.setOutputProperty(OutputKeys.ENCODING, "UTF-8");
            transformer.setOutputProperty(OutputKeys.OMIT_XML_DECLARATION, "yes");
            transformer.setOutputProperty(OutputKeys.INDENT, "no");
            StringWriter out = new StringWriter();
            transformer.transform(new DOMSource(doc), new StreamResult(out));
            // libvirt ends its XML with a newline; the DOM does not keep text after the root.
            return out.append('\n').toString();
        } catch (TransformerException e) {
            throw new IllegalStateException("cannot write domain XML: " + e.getMessage(), e);
        }
    }

    /** An element of libvirt's vocabulary (no namespace; metadata and qemu:* elements have one). */
    static boolean isLibvirt(Node node, String name) {
        return node instanceof Element e && e.getNamespaceURI() == null && name.equals(e.getLocalName());
    }

    static List<Element> children(Element parent) {
        List<Element> list = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element e && e.getNamespaceURI() == null) {
                list.add(e);
            }
        }
        return list;
    }

    static List<Element> children(Element parent, String name) {
        List<Element> list = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (isLibvirt(n, name)) {
                list.add((Element) n);
            }
        }
        return list;
    }

    /** The first child of that name, or null. */
    static Element child(Element parent, String name) {
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (isLibvirt(n, name)) {
                return (Element) n;
            }
        }
        return null;
    }

    /** The attribute's value, or null when absent (DOM's getAttribute answers "" for both). */
    static String attr(Element element, String name) {
        return element != null && element.hasAttribute(name) ? element.getAttribute(name) : null;
    }

    /** The trimmed text of the element, or null when it is absent or blank. */
    static String text(Element element) {
        if (element == null) {
            return null;
        }
        String text = element.getTextContent().strip();
        return text.isEmpty() ? null : text;
    }

    /** Replaces the element's text, keeping its attributes and any child elements. */
    static void setText(Element element, String text) {
        for (Node n = element.getFirstChild(); n != null; ) {
            Node next = n.getNextSibling();
            if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                element.removeChild(n);
            }
            n = next;
        }
        element.insertBefore(element.getOwnerDocument().createTextNode(text), element.getFirstChild());
    }
}
