package io.livemig.agent.core.rebind;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.w3c.dom.Attr;
import org.w3c.dom.Element;
import org.w3c.dom.NamedNodeMap;
import org.w3c.dom.Node;

/**
 * Compares two domain XMLs by meaning (parsed: attribute order, quoting and whitespace between
 * elements do not count) and lists what differs, e.g.
 * {@code /domain/devices/interface/source@bridge: br0 -> br-lab}.
 */
final class XmlDiff {

    private XmlDiff() {
    }

    static List<String> diff(String before, String after) {
        List<String> out = new ArrayList<>();
        diff(DomainXml.parse(before).getDocumentElement(), DomainXml.parse(after).getDocumentElement(), "/domain", out);
        return out;
    }

    private static void diff(Element a, Element b, String path, List<String> out) {
        if (!a.getTagName().equals(b.getTagName())) {
            out.add(path + ": element " + a.getTagName() + " -> " + b.getTagName());
            return;
        }
        TreeSet<String> names = new TreeSet<>();
        names.addAll(attributes(a).keySet());
        names.addAll(attributes(b).keySet());
        for (String name : names) {
            String va = attributes(a).get(name);
            String vb = attributes(b).get(name);
            if (va == null || !va.equals(vb)) {
                out.add(path + "@" + name + ": " + va + " -> " + vb);
            }
        }
        String ta = text(a);
        String tb = text(b);
        if (!ta.equals(tb)) {
            out.add(path + " text: " + ta + " -> " + tb);
        }
        List<Element> ca = elements(a);
        List<Element> cb = elements(b);
        if (ca.size() != cb.size()) {
            out.add(path + ": " + ca.size() + " child elements -> " + cb.size());
            return;
        }
        Map<String, Integer> count = new HashMap<>();
        ca.forEach(c -> count.merge(c.getTagName(), 1, Integer::sum));
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < ca.size(); i++) {
            String tag = ca.get(i).getTagName();
            int index = seen.merge(tag, 1, Integer::sum) - 1;
            // An index only where siblings share the name: /domain/devices/disk[1]/source, /domain/os/kernel.
            diff(ca.get(i), cb.get(i), path + "/" + tag + (count.get(tag) > 1 ? "[" + index + "]" : ""), out);
        }
    }

    private static Map<String, String> attributes(Element e) {
        Map<String, String> map = new HashMap<>();
        NamedNodeMap attrs = e.getAttributes();
        for (int i = 0; i < attrs.getLength(); i++) {
            Attr attr = (Attr) attrs.item(i);
            map.put(attr.getName(), attr.getValue());
        }
        return map;
    }

    private static String text(Element e) {
        StringBuilder text = new StringBuilder();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n.getNodeType() == Node.TEXT_NODE || n.getNodeType() == Node.CDATA_SECTION_NODE) {
                text.append(n.getNodeValue());
            }
        }
        return text.toString().strip();
    }

    private static List<Element> elements(Element e) {
        List<Element> list = new ArrayList<>();
        for (Node n = e.getFirstChild(); n != null; n = n.getNextSibling()) {
            if (n instanceof Element child) {
                list.add(child);
            }
        }
        return list;
    }

    /** A domain XML sample from src/test/resources/domains. */
    static String sample(String name) {
        try (InputStream in = XmlDiff.class.getResourceAsStream("/domains/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no sample " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
